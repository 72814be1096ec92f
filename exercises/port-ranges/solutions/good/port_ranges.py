# netgrade-expect: pass
# A correct solution with a prompt and try/except, the way the course writes input loops.
while True:
    text = input("请输入端口号：")
    if not text:
        break
    try:
        port = int(text)
    except ValueError:
        print("invalid")
        continue
    if not text.isdigit():          # int() also accepts "-80", "+80" and " 80"
        print("invalid")
    elif 1 <= port <= 255:
        print("端口类型：well-known")
    elif 256 <= port <= 1023:
        print("端口类型：system")
    elif 1024 <= port <= 65535:
        print("端口类型：user")
    else:
        print("invalid")
