# netgrade-expect: pass
# A correct solution: validate the four parts, then check the special cases in order.
def classify(text):
    parts = text.split(".")
    if len(parts) != 4:
        return "invalid"
    for part in parts:
        if not part.isdigit() or int(part) > 255 or (len(part) > 1 and part[0] == "0"):
            return "invalid"
    if text == "127.0.0.1":
        return "loopback"
    if text == "0.0.0.0":
        return "any"
    last = int(parts[3])
    if last == 0:
        return "network"
    if last == 1:
        return "gateway"
    if last == 255:
        return "broadcast"
    return "host"


while True:
    address = input("请输入IP地址：")
    if address == "":
        break
    print("类型：" + classify(address))
