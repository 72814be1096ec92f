# netgrade's messages, in English (the reference: every other language has the same ids).
# Arguments are given as text already formatted (durations, quoted bytes), or as integers.

## What the program was waiting for when the grader gave up on it

waiting-keyboard = waiting for input from the keyboard (input())
waiting-network = waiting for the network (accept, recv or recvfrom)

## Problems: what went wrong in a test

problem-ended-before-listening-tcp = your program ended before it listened on TCP port { $port }
problem-ended-before-listening-udp = your program ended before it bound UDP port { $port }
problem-listens-elsewhere = your program listens on { $found }, not on TCP port { $port }; check the port you bind()
problem-never-listened-waiting = your program is { $waiting }, but it does not listen on TCP port { $port }; does it call bind() and listen()?
problem-never-listened = your program did not listen on TCP port { $port } within { $waited }; does it call bind() and listen()?
problem-connect-failed = { $client } could not connect to { $address }: { $error }
problem-wrong-reply = { $client } received something other than expected
problem-reply-misdirected = { $client } never received { $expected }, but { $other } received { $bytes } instead: your program replied to the wrong client
problem-no-reply-waiting = { $client } expected { $expected }, but your program sent nothing and is { $waiting }
problem-partial-reply-waiting = { $client } received only part of { $expected }, and your program is { $waiting }: the rest is not coming
problem-no-reply = { $client } waited { $waited } for { $expected } but received nothing
problem-partial-reply = { $client } waited { $waited } for { $expected } but received only part of it
problem-closed-instead = your program closed the connection of { $client } instead of sending { $expected }
problem-reset-instead = the connection of { $client } was reset (RST) instead of receiving { $expected }
problem-receive-failed = { $client } could not receive { $expected }: { $error }
problem-data-instead-of-close = { $client } expected your program to close the connection, but it sent more data
problem-more-than-expected = your program sent { $client } more than the exercise expects
problem-not-closed-waiting = { $client } expected your program to close the connection, but it is { $waiting } with the connection open
problem-not-closed = { $client } waited { $waited } for your program to close the connection, but it stayed open
problem-send-failed = { $client } could not send: { $error }
problem-test-timed-out = the test did not finish within its limit of { $limit }
problem-not-run = your submission could not be run: { $reason }
problem-never-connected = your program did not connect to TCP port { $port } within { $waited }; does it call connect() to 127.0.0.1:{ $port }?
problem-ended-before-connecting = your program ended without connecting to TCP port { $port }
problem-bound-elsewhere = your program bound UDP { $found }, not UDP port { $port }; check the port you bind()
problem-never-bound-waiting = your program is { $waiting }, but it has not bound UDP port { $port }; does it call bind()?
problem-never-bound = your program did not bind UDP port { $port } within { $waited }; does it call bind()?
problem-output-ended = your program ended without printing { $expected } (on { $stream })
problem-output-other-waiting = your program printed something else on { $stream } and is { $waiting }: { $expected } is not there
problem-no-output = your program did not print { $expected } on { $stream } within { $waited }
problem-several-answers = your program printed { $count ->
    [2] both
   *[other] all of
} { $printed } for { $input }: one input must get one answer
problem-several-answers-no-input = your program printed { $count ->
    [2] both
   *[other] all of
} { $printed } for one input: one input must get one answer
list-separator = {", "}
list-last-separator = {" and "}
problem-wrong-bind-address = your program is bound to { $found }, but this exercise asks for { $required } (port { $port }): bind(("{ $required }", { $port }))
problem-file-missing = your program did not write the file { $path }{ $why }
problem-file-missing-waiting = : it is { $waiting }
problem-file-missing-ended = : it has ended
problem-wrong-file = the file { $path } your program wrote is not { $expected }
problem-input-failed = the grader could not type the input: { $error }
problem-input-after-end = your program ended before it read this input ({ $end })
problem-input-closed = your program closed its standard input
problem-input-not-read = your program does not read its input
problem-wrong-exit-code = your program should exit with code { $code }, but it { $end }
problem-wrong-exit = your program should exit, but it { $end }
problem-not-exited-waiting = your program should end here, but it is { $waiting }
problem-not-exited = your program did not exit within { $waited } (it should end by itself here)
problem-wrong-datagram = peer { $peer } received a datagram other than expected
problem-datagram-misdirected = peer { $peer } never received { $expected }, but peer { $other } received { $bytes } instead: your program replied to the wrong address (reply to the address recvfrom() returned)
problem-no-datagram-ended = peer { $peer } never received a datagram with { $expected }: your program has ended
problem-no-datagram-waiting = peer { $peer } never received a datagram with { $expected }: your program is { $waiting }
problem-no-datagram = peer { $peer } waited { $waited } for a datagram with { $expected } but received none
problem-empty-datagram = peer { $peer } received an empty datagram; your program must not send one
problem-unexpected-datagram = peer { $peer } received a datagram when none was expected
problem-datagram-send-failed = peer { $peer } could not send: { $error }
problem-traceback = your program crashed with a Python traceback: { $line }

## Network errors in words

error-refused = connection refused (nothing listens there any more)
error-connect-timed-out = timed out (the server's backlog is full or it stopped accepting)
error-reset = the connection was reset (RST)
error-broken-pipe = the connection is closed (broken pipe)
error-aborted = the connection was aborted
error-unreachable = the network is unreachable
error-flood = your program sent over { $mebibytes } MiB that no step expected; the client stopped reading
error-other = { $error }

## What a step expects, in words

matcher-exact = exactly { $bytes } ({ $count ->
    [one] 1 byte
   *[other] { $count } bytes
})
matcher-reply = the reply { $bytes } (a line end after it is fine)
matcher-contains = text containing { $bytes }
matcher-regex = text matching /{ $pattern }/
matcher-line = the line { $line } (ending in a newline)
matcher-now = { $placeholder } is the time now: any of { $first } to { $last }
matcher-or = {" "}or{" "}
matcher-count = { $count ->
    [one] 1 byte
   *[other] { $count } bytes
}
output-contains = text containing { $text }
output-keywords = the words { $words } in this order
output-regex = text matching /{ $pattern }/
output-answer = a line ending with the answer { $answer }

## Connections and peers, named

connection-client = client { $name }
connection-server = the server
connection-server-named = server connection { $name }

## Steps, in words ("failed at step 4: …")

step-connect = { $who } connects
step-send = { $who } sends { $bytes }
step-send-pieces = { $who } sends { $bytes } in pieces of { $size } bytes
step-expect = { $who } expects { $expected }
step-expect-nothing = { $who } expects nothing for { $during }
step-expect-all = { $who } reads until your program closes the connection, expecting { $expected } in all
step-expect-file = your program's folder holds the file { $path } with { $expected }
step-expect-closed = { $who } expects your program to close the connection
step-close = { $who } closes its connection
step-shutdown = { $who } stops sending (half-close)
step-reset = { $who } resets its connection
step-wait-accepted = your program accepts the connection of { $who }
step-accept = your program connects to the grader ({ $who })
step-datagram = peer { $peer } sends the datagram { $bytes }
step-expect-datagram = peer { $peer } expects a datagram with { $expected }
step-expect-no-datagram = peer { $peer } expects no datagram for { $during }
step-type = type { $bytes } on stdin
step-close-stdin = close stdin (Ctrl-D)
step-expect-output = expect { $expected } on { $stream }
step-expect-exit-code = expect your program to exit with code { $code }
step-expect-exit = expect your program to exit
step-differential = type { $count } generated inputs, expecting the answers of the { $oracle } reference
step-differential-reference-generated = type { $count } inputs generated as for { $oracle }, expecting the exercise's reference program's answers
step-differential-reference-listed = type { $count ->
    [one] one input
   *[other] { $count } inputs
}, expecting the exercise's reference program's answers

## Causes: the headline of a failure, said once for every test it fails

cause-crash = your program crashed: { $error }
cause-crash-at = your program crashed: { $error } ({ $file }, line { $line })
cause-killed = your program { $end }
cause-print-bytes = your program prints bytes objects (b'...') where text is expected

## Hints that follow the failure (before the test's own hint)

hint-send-str = send() takes bytes, not a str: write conn.send(b"Thanks"), or conn.send(text.encode())
hint-sendto-str = sendto() takes bytes, not a str: write sock.sendto(b"Thanks", addr), or sock.sendto(text.encode(), addr)
hint-decode = bytes that are not UTF-8 text were decoded as text. Text from the network: decode a whole message with data.decode() (Chinese takes several bytes per character, so not a piece of one); a file that is not text (a .bin, an image): keep it bytes, open it with "rb" and never decode it
hint-print-bytes = your program prints a bytes object (b'...'): decode it first, print(data.decode())
hint-wrong-port = the exercise's port is { $port }: bind(("127.0.0.1", { $port })) — or ("0.0.0.0", { $port }) to listen on every address
hint-server-for-client = this exercise wants a client, but your program acts as a server (bind/listen on { $port }): the grader is the server; connect() to ("127.0.0.1", { $port })
hint-client-for-server = this exercise wants a server, but your program acts as a client (connect()): bind(("127.0.0.1", { $port })), listen() and accept() instead
hint-wrong-address = nothing listens where your program connects: the grader's server is at ("127.0.0.1", { $port })
hint-accept-loop = your program ended after serving one client: put accept() in a loop, so it waits for the next client after closing one

## The text report

report-title = netgrade · { $id } — { $title }
report-program = program: { $program }   isolation: { $isolation }
report-slow = time limits ×{ $factor }
report-seed = generated inputs: seed { $seed } (the same inputs again: --seed { $seed })
report-points = { $points }/{ $max } pts
report-fragile-mark = works here, but fragile
report-score = score: { $score }/{ $max } — { $passed } of { $total } tests passed
report-score-fragile = score: { $score }/{ $max } — { $passed } of { $total } tests passed; { $fragile ->
    [one] 1 test works here, but is fragile
   *[other] { $fragile } tests work here, but are fragile
}
report-tests = { $count ->
    [one] test { $list }
   *[other] tests { $list }
}
report-cause = { $tests } ({ $points ->
    [one] 1 point
   *[other] { $points } points
}): { $headline }
report-fragile = { $tests }: works here, but fragile — { $why }
report-failed-at = at step { $step } (spec line { $line }) of test { $test }: { $description }
report-grader-error = grader error
report-expected = expected:
report-received = received:
report-nothing = nothing
report-where = where:
detail-generated-input = generated input { $number } of { $count }: typed { $input }, the reference answers { $answer } (the same inputs again: --seed { $seed })
detail-listed-input = input { $number } of { $count }: typed { $input }, the reference answers { $answer }
detail-first-difference = the first { $at } bytes were right; byte { $at } differs (expected { $expected }, received { $received })
detail-partly-arrived = only the first { $arrived } of { $expected } expected bytes arrived
detail-extra-bytes = all { $expected } expected bytes arrived, then { $count } more: { $extra }
isolation-namespace = own network namespace per test
isolation-fenced = host loopback, one test at a time, no namespaces: the program runs on this machine, fenced to its own folder and the system folders
isolation-unconfined = host loopback, one test at a time, NO SANDBOX: the program runs on this machine and can read your files
report-your-program = your program:
report-what-happened = what happened:
report-limit = limit reached:
report-output = your program's { $stream }:
report-output-tail = your program's { $stream } (last { $shown } of { $lines } lines):
report-hint = hint:
report-rerun = rerun this test:

## What happened (the transcript), one line each

byte-count = { $count ->
    [one] 1 byte
   *[other] { $count } bytes
}
entry-started = program started: { $command }
entry-listening = program listening on TCP { $address }
entry-connected = { $client } connected to { $address }
entry-sent = { $client } sent { $bytes } ({ $count })
entry-sent-pieces = { $client } sent { $bytes } ({ $count }) in { $pieces } pieces
entry-received = { $client } received { $bytes } ({ $count })
entry-quiet = { $client } received nothing for { $during }
entry-closed-by-program = program closed its connection to { $client }
entry-closed = { $client } closed its connection
entry-shut-down = { $client } stopped sending (half-close)
entry-reset = { $client } reset its connection
entry-bound = program bound UDP { $address }
entry-connected-to-grader = { $client } accepted the program's connection from { $from }
entry-datagram-sent = peer { $peer } sent datagram { $bytes } ({ $count }) to { $to }
entry-datagram-received = peer { $peer } received datagram { $bytes } ({ $count }) from { $from }
entry-no-datagram = peer { $peer } received no datagram for { $during }
entry-typed = typed { $bytes }
entry-file-written = program wrote the file { $path }: { $bytes }
entry-stdin-closed = stdin closed
entry-printed = program printed on { $stream }: { $text }
entry-answered = typed { $count } generated inputs; every answer matched the { $oracle } reference's
entry-answered-own = typed { $count } inputs; every answer matched the exercise's reference program's
reference-failed = the exercise's reference program could not answer: { $error }
reference-not-a-file = the exercise's reference is not a program file of its folder
reference-not-asked = it was not asked
reference-missing-answer = it was not asked the input { $input }
reference-stderr = ; its last line on stderr: { $line }
reference-too-slow = it gave no answers within { $limit }
reference-input-failed = it ended or stopped reading before the input { $input }
reference-no-answer = it printed no answer listed in `answers:` for the input { $input } (it printed { $printed })
reference-several-answers = it printed several answers ({ $answers }) for the input { $input }
entry-exited = program { $end }
entry-accepted = program accepted the connection of { $client }
entry-not-accepted = program has not accepted { $client } yet (it waits in the listen backlog)
entry-end = program { $end }
entry-interrupted-traceback = KeyboardInterrupt (traceback from the grader's Ctrl-C, not shown)

## How the program ended

end-stopped = stopped by the grader with { $signal }
end-stopped-code = stopped by the grader with { $signal } (exit code { $code })
end-stopped-by = stopped by the grader with { $signal }, ended by { $by }
end-exited = ended by itself with exit code { $code }
end-crashed = crashed: killed by { $signal }
signal-interrupt = Ctrl-C (SIGINT)
signal-cpu = { $name } (CPU time limit reached)
signal-file-size = { $name } (file size limit reached)
signal-segfault = { $name } (segmentation fault)
signal-pipe = { $name } (wrote to a closed connection)

## Limits the run hit

limit-cpu = CPU time limit ({ $limit }) reached
limit-memory = memory limit ({ $limit }) reached
limit-processes = process limit ({ $count } processes and threads) reached: a fork() failed
limit-open-files = open files limit ({ $count }) reached
limit-file-size = file size limit ({ $limit }) reached
limit-output-cut = { $stream } cut at { $kept }: { $total } bytes written in all
entry-limit = limit: { $limit }

## The class summary

summary-all-passed = all tests passed
summary-cause = { $tests }: { $headline }
summary-grader-error = test { $test }: netgrade could not run it: { $error }
summary-could-not-grade = netgrade could not grade it: { $error }

## netgrade list and show

list-size = { $tests ->
    [one] 1 test
   *[other] { $tests } tests
}, { $points ->
    [one] 1 point
   *[other] { $points } points
}
show-no-statement = (no statement.md)
show-tests = Tests:
show-test-points = { $points ->
    [one] 1 point
   *[other] { $points } points
}

## Submissions: what cannot be run

submission-missing = no program given: name it (`server.py`, `./server`) or give a command after `--`
submission-both = give either a program path or a command after `--`, not both
submission-not-found = no such file: { $path }
submission-folder = { $path } is a folder; name the program file in it (for example { $path }/server.py)
submission-not-executable = { $path } is neither a .py file, a .rs file nor executable; make it executable (chmod +x) or give the full command after `--`
submission-command-not-found = `{ $command }` was not found on PATH; install it or give its full path
submission-unreadable = netgrade cannot read { $path } to give it to your program ({ $reason }); check the file's permissions
submission-link = { $path } is a symbolic link: netgrade does not follow links; name the file itself
submission-copy = cannot copy the submission: { $reason }
stage-unreadable = cannot read { $path }: { $reason }
not-runnable-empty = the submission is empty
not-runnable-no-program = no program found (looked for { $looked_for })
not-runnable-ambiguous-named = { $count } .py files here and none is named { $names }: name your program { $first }, or pick one with --entry NAME ({ $files })
not-runnable-ambiguous = { $count } .py files here: pick one with --entry NAME ({ $files })
not-runnable-bad-pattern = bad entry pattern `{ $pattern }`: { $error }
not-runnable-compile = it does not compile: { $error }
not-runnable-too-large = the submission is too large to grade: { $bound }
not-runnable-hidden = { $path } is not part of the submission (hidden, or in a skipped folder)
looked-for-single-python = a single .py file
looked-for-single-executable = a single executable
size-entries = more than { $max } files and folders
size-files = more than { $max } files
size-bytes = more than { $max } MiB
size-depth = folders nested more than { $max } deep
compile-no-compiler = no Rust compiler here: { $reason }
compile-refused = rustc failed:
compile-over-limits = rustc did not finish: { $reason }
compile-took-too-long = it took over { $limit }
compile-failed = could not run rustc: { $reason }

## watch and show

no-such-test = --test { $number }: exercise { $id } has tests 1 to { $count }
show-test-title = { $id } — test { $number }: { $name }
show-spec = spec: { $source }
show-robustness-advice = robustness check, advice only (failing it costs no points: "works here, but fragile"): { $why }
show-robustness-counts = robustness check (it counts): { $why }
show-steps = Steps:
show-args = the program is started with the arguments: { $args }
show-spec-line = (spec line { $line })
watch-missing = no such file or folder: { $path }
watch-round = round { $round }: grading { $program } …
watch-also-failing = also failing:
watch-waiting = watching { $path } — save to grade again, Ctrl-C to stop
watch-gone = { $path } is gone — waiting for it to come back (Ctrl-C to stop)
watch-error = watching for saves: { $error }
watch-cannot-watch = cannot watch for saves
watch-stopped = watching for saves stopped

## HTML report

html-page-title = netgrade · { $id } · { $score }/{ $max }
html-tests = Tests
html-causes = What went wrong
html-footer = Made by netgrade. Everything the program printed or sent is shown as text, never run; hover over an arrow for the whole message.
html-diagram = What happened, in order: the grader's side on the left, your program in the middle, its screen on the right
html-packets = On the wire: { $count ->
    [one] 1 packet
   *[other] { $count } packets
} captured on the test's loopback (sequence and acknowledgement numbers are relative)
html-lane-program = your program
html-lane-keyboard = keyboard
html-lane-stdout = screen
html-lane-stderr = error output
html-lane-peer = UDP peer { $name }
html-arrow-connect = connect() to { $address }
html-arrow-connect-from = connect() from { $from }
html-arrow-close = FIN · close()
html-arrow-shutdown = FIN · shutdown() (half-close)
html-arrow-reset = RST · reset
html-arrow-eof = EOF · Ctrl-D (stdin closed)
html-pieces = { $count } in { $pieces } pieces
html-note-listening = listen() on TCP { $address }
html-note-bound = bind() on UDP { $address }
html-note-accepted = accept() → { $client }
html-note-not-accepted = { $client } waits in the listen backlog (not accepted yet)
html-note-quiet = nothing arrived for { $during }
html-failed-step = ✗ step { $step }: { $description }
html-fragile-step = ~ step { $step }: { $description }
html-failed = ✗ { $problem }
html-more-rows = … { $count } more not drawn
html-misdirected = { $count }, arrived here instead

## netgrade verify

verify-building = netgrade: building the reference solutions (cargo build --release)…
verify-no-reference = not verified: the spec names no reference
verify-reference = reference { $reference }
verify-reference-missing = the reference { $reference } does not exist (a `reference:` with a `.` or a `/` is a file in the exercise's folder)
verify-binary-missing = reference binary `{ $name }` was not built; is it a [[bin]] of reference/Cargo.toml? (a reference file of the exercise's folder needs a `.` or a `/` in its name)
verify-summary = verified { $verified ->
    [one] 1 exercise
   *[other] { $verified } exercises
} in { $seconds }s
verify-summary-unverified = verified { $verified } of { $total } exercises in { $seconds }s; not verified (no reference): { $unverified }
