# netgrade-expect: pass
# A correct solution that prints a menu of the classes at start and an explanation before each
# answer (which mentions the range): a line naming several classes is not an answer.
print("Classes: well-known (1-255), system (256-1023), user (1024-65535), invalid")
while True:
    text = input("port> ")
    if not text:
        break
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        print("not a port number from 1 to 65535, so:")
        print("invalid")
        continue
    port = int(text)
    if port <= 255:
        name = "well-known"
    elif port <= 1023:
        name = "system"
    else:
        name = "user"
    print(f"{port} is between well-known, system and user at:")
    print(name)
