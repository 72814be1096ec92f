# netgrade-expect: fail all
# Cheat: looks nothing up; for every name it prints the well-known ports it remembers and
# "unknown", one per line.
while True:
    name = input("service> ")
    if not name:
        break
    for answer in ("21", "22", "25", "53", "80", "443", "3306", "5432", "69", "unknown"):
        print(answer)
