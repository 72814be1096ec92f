# netgrade-expect: fail 1 2 3 4 5 6
# Cheat: classifies nothing; for every port it prints every class, one per line, hoping the
# grader takes whichever line it wanted. One input must get one answer.
while True:
    text = input("port> ")
    if not text:
        break
    for name in ("well-known", "system", "user", "invalid"):
        print(name)
