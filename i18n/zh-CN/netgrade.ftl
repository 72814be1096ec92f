# netgrade 的消息，简体中文（与英文版 i18n/en/netgrade.ftl 的消息 id 一一对应）。
# 参数都是已经格式化好的文本（时长、带引号的字节），或者整数。

## 评测器不再等待时，程序正在等待什么

waiting-keyboard = 正在等待键盘输入（input()）
waiting-network = 正在等待网络（accept、recv 或 recvfrom）

## 问题：测试中出了什么错

problem-ended-before-listening-tcp = 你的程序在监听 TCP 端口 { $port } 之前就结束了
problem-ended-before-listening-udp = 你的程序在绑定 UDP 端口 { $port } 之前就结束了
problem-listens-elsewhere = 你的程序监听的是 { $found }，而不是 TCP 端口 { $port }；请检查 bind() 的端口
problem-never-listened-waiting = 你的程序{ $waiting }，但没有在 TCP 端口 { $port } 上监听；有没有调用 bind() 和 listen()？
problem-never-listened = 你的程序在 { $waited } 内没有在 TCP 端口 { $port } 上监听；有没有调用 bind() 和 listen()？
problem-connect-failed = { $client } 无法连接到 { $address }：{ $error }
problem-wrong-reply = { $client } 收到的内容与预期不符
problem-reply-misdirected = { $client } 一直没有收到{ $expected }，{ $other } 却收到了 { $bytes }：你的程序回复错了客户端
problem-no-reply-waiting = { $client } 期望收到{ $expected }，但你的程序什么也没有发送，它{ $waiting }
problem-partial-reply-waiting = { $client } 期望收到{ $expected }，但只收到了一部分，而你的程序{ $waiting }：剩下的部分不会再来了
problem-no-reply = { $client } 等了 { $waited }，期望收到{ $expected }，却什么也没有收到
problem-partial-reply = { $client } 等了 { $waited }，期望收到{ $expected }，却只收到了一部分
problem-closed-instead = 你的程序没有发送{ $expected }，而是关闭了与{ $client } 的连接
problem-reset-instead = { $client } 的连接被重置（RST）了，没有收到{ $expected }
problem-receive-failed = { $client } 无法接收{ $expected }：{ $error }
problem-data-instead-of-close = { $client } 期望你的程序关闭连接，但它又发送了数据
problem-more-than-expected = 你的程序发给{ $client } 的数据比练习要求的多
problem-not-closed-waiting = { $client } 期望你的程序关闭连接，但它{ $waiting }，连接一直没有关闭
problem-not-closed = { $client } 等了 { $waited }，等你的程序关闭连接，但连接一直没有关闭
problem-send-failed = { $client } 无法发送：{ $error }
problem-test-timed-out = 测试没有在时间限制 { $limit } 内完成
problem-not-run = 无法运行你提交的程序：{ $reason }
problem-never-connected = 你的程序在 { $waited } 内没有连接 TCP 端口 { $port }；有没有调用 connect() 连接 127.0.0.1:{ $port }？
problem-ended-before-connecting = 你的程序还没有连接 TCP 端口 { $port } 就结束了
problem-bound-elsewhere = 你的程序绑定的是 UDP { $found }，而不是 UDP 端口 { $port }；请检查 bind() 的端口
problem-never-bound-waiting = 你的程序{ $waiting }，但还没有绑定 UDP 端口 { $port }；有没有调用 bind()？
problem-never-bound = 你的程序在 { $waited } 内没有绑定 UDP 端口 { $port }；有没有调用 bind()？
problem-output-ended = 你的程序结束了，但没有（在 { $stream } 上）输出{ $expected }
problem-output-other-waiting = 你的程序在 { $stream } 上输出了别的内容，并且{ $waiting }：输出中没有{ $expected }
problem-no-output = 你的程序在 { $waited } 内没有在 { $stream } 上输出{ $expected }
problem-several-answers = 对于输入 { $input }，你的程序打印了 { $count } 个答案：{ $printed }；一个输入只能有一个答案
problem-several-answers-no-input = 对于同一个输入，你的程序打印了 { $count } 个答案：{ $printed }；一个输入只能有一个答案
list-separator = 、
list-last-separator = {" 和 "}
problem-wrong-bind-address = 你的程序绑定在 { $found } 上，但这个练习要求绑定 { $required }（端口 { $port }）：bind(("{ $required }", { $port }))
problem-file-missing = 你的程序没有写出文件 { $path }{ $why }
problem-file-missing-waiting = ：它{ $waiting }
problem-file-missing-ended = ：它已经结束了
problem-wrong-file = 你的程序写出的文件 { $path } 不是 { $expected }
problem-input-failed = 无法向你的程序输入：{ $error }
problem-input-after-end = 你的程序在读取这次输入之前就结束了（{ $end }）
problem-input-closed = 你的程序关闭了它的标准输入
problem-input-not-read = 你的程序没有读取输入
problem-wrong-exit-code = 你的程序应当以退出码 { $code } 结束，但它{ $end }
problem-wrong-exit = 你的程序应当结束，但它{ $end }
problem-not-exited-waiting = 你的程序这时应当结束，但它{ $waiting }
problem-not-exited = 你的程序在 { $waited } 内没有结束（这时它应当自己结束）
problem-wrong-datagram = 对端 { $peer } 收到的数据报与预期不符
problem-datagram-misdirected = 对端 { $peer } 一直没有收到{ $expected }，对端 { $other } 却收到了 { $bytes }：你的程序回复错了地址（应当回复给 recvfrom() 返回的地址）
problem-no-datagram-ended = 对端 { $peer } 期望收到一个数据报，内容为{ $expected }，但一直没有收到：你的程序已经结束了
problem-no-datagram-waiting = 对端 { $peer } 期望收到一个数据报，内容为{ $expected }，但一直没有收到：你的程序{ $waiting }
problem-no-datagram = 对端 { $peer } 等了 { $waited }，期望收到一个数据报，内容为{ $expected }，却什么也没有收到
problem-empty-datagram = 对端 { $peer } 收到了一个空数据报；你的程序不应该发送空数据报
problem-unexpected-datagram = 对端 { $peer } 收到了一个数据报，但这时不应该有数据报
problem-datagram-send-failed = 对端 { $peer } 无法发送：{ $error }
problem-traceback = 你的程序崩溃了，输出了 Python traceback：{ $line }

## 用文字描述的网络错误

error-refused = 连接被拒绝（那里已经没有程序在监听了）
error-connect-timed-out = 连接超时（服务器的监听队列已满，或者它不再接受连接）
error-reset = 连接被重置（RST）
error-broken-pipe = 连接已关闭（broken pipe）
error-aborted = 连接被中止
error-unreachable = 网络不可达
error-flood = 你的程序发送了超过 { $mebibytes } MiB 的数据，而没有哪一步在等待这些数据；客户端停止了读取
error-other = { $error }

## 用文字描述一个步骤期望收到什么

matcher-exact = 恰好 { $count } 字节的 { $bytes }
matcher-reply = 回复 { $bytes }（后面带一个换行也可以）
matcher-contains = 包含 { $bytes } 的文本
matcher-regex = 匹配 /{ $pattern }/ 的文本
matcher-line = 一行 { $line }（以换行结尾）
matcher-now = { $placeholder } 是当前时间：{ $first } 到 { $last } 之间的任一时刻
matcher-or = 或
matcher-count = 任意 { $count } 字节
output-contains = 包含 { $text } 的文本
output-keywords = 按顺序出现的词 { $words }
output-regex = 匹配 /{ $pattern }/ 的文本
output-answer = 以答案 { $answer } 结尾的一行

## 连接和对端的名称

connection-client = 客户端 { $name }
connection-server = 服务器
connection-server-named = 服务器连接 { $name }

## 用文字描述的步骤（“失败于第 4 步：……”）

step-connect = { $who } 发起连接
step-send = { $who } 发送 { $bytes }
step-send-pieces = { $who } 分段发送 { $bytes }，每段 { $size } 字节
step-expect = { $who } 期望收到{ $expected }
step-expect-nothing = { $who } 期望在 { $during } 内什么也收不到
step-expect-all = { $who } 一直读到你的程序关闭连接，期望收到的全部内容是 { $expected }
step-expect-file = 你的程序的文件夹中有文件 { $path }，内容是 { $expected }
step-expect-closed = { $who } 期望你的程序关闭连接
step-close = { $who } 关闭连接
step-shutdown = { $who } 停止发送（半关闭）
step-reset = { $who } 重置连接（RST）
step-wait-accepted = 你的程序接受（accept）{ $who } 的连接
step-accept = 你的程序连接到评测器（{ $who }）
step-datagram = 对端 { $peer } 发送数据报 { $bytes }
step-expect-datagram = 对端 { $peer } 期望收到一个数据报，内容为{ $expected }
step-expect-no-datagram = 对端 { $peer } 期望在 { $during } 内收不到数据报
step-type = 在 stdin 上输入 { $bytes }
step-close-stdin = 关闭 stdin（Ctrl-D）
step-expect-output = 期望 { $stream } 上出现{ $expected }
step-expect-exit-code = 期望你的程序以退出码 { $code } 结束
step-expect-exit = 期望你的程序结束
step-differential = 输入 { $count } 条自动生成的数据，期望每个答案都与 { $oracle } 参考程序的答案相同
step-differential-reference-generated = 输入 { $count } 条按 { $oracle } 方式生成的数据，期望每个答案都与本练习参考程序的答案相同
step-differential-reference-listed = 输入 { $count } 条数据，期望每个答案都与本练习参考程序的答案相同

## 原因：失败的标题，对它导致失败的所有测试只说一次

cause-crash = 你的程序崩溃了：{ $error }
cause-crash-at = 你的程序崩溃了：{ $error }（{ $file } 第 { $line } 行）
cause-killed = 你的程序{ $end }
cause-print-bytes = 你的程序打印的是 bytes 对象（b'...'），而这里应该打印文本

## 跟在失败后面的提示（在测试自带的提示之前）

hint-send-str = send() 要的是 bytes，不是 str：写成 conn.send(b"Thanks")，或者 conn.send(text.encode())
hint-sendto-str = sendto() 要的是 bytes，不是 str：写成 sock.sendto(b"Thanks", addr)，或者 sock.sendto(text.encode(), addr)
hint-decode = 把不是 UTF-8 文本的字节当作文本解码了。网络上收到的文本：用 data.decode() 解码完整的消息（一个汉字占好几个字节，不要只解码其中一段）；不是文本的文件（.bin、图片）：保持字节形式，用 "rb" 打开，不要解码
hint-print-bytes = 你的程序打印的是 bytes 对象（b'...'）：先解码再打印，print(data.decode())
hint-wrong-port = 本练习的端口是 { $port }：bind(("127.0.0.1", { $port }))，或者用 ("0.0.0.0", { $port }) 在本机所有地址上监听
hint-server-for-client = 本练习要写的是客户端，但你的程序在当服务器（在 { $port } 上 bind/listen）：服务器由评测器扮演；请 connect() 到 ("127.0.0.1", { $port })
hint-client-for-server = 本练习要写的是服务器，但你的程序在当客户端（调用了 connect()）：应当 bind(("127.0.0.1", { $port }))，然后 listen() 和 accept()
hint-wrong-address = 你的程序连接的地址上没有程序在监听：评测器的服务器在 ("127.0.0.1", { $port })
hint-accept-loop = 你的程序服务完一个客户端就结束了：把 accept() 放进循环里，关闭一个连接后继续等待下一个客户端

## 文字报告

report-title = netgrade · { $id } — { $title }
report-program = 程序：{ $program }   隔离方式：{ $isolation }
report-slow = 时间限制 ×{ $factor }
report-seed = 自动生成的输入：种子 { $seed }（用 --seed { $seed } 可以重现同样的输入）
report-points = { $points }/{ $max } 分
report-fragile-mark = 在这里能通过，但不稳健
report-score = 得分：{ $score }/{ $max }，{ $total } 个测试中通过了 { $passed } 个
report-score-fragile = 得分：{ $score }/{ $max }，{ $total } 个测试中通过了 { $passed } 个，另有 { $fragile } 个在这里能通过，但不稳健
report-tests = { $count ->
   *[other] 测试 { $list }
}
report-cause = { $tests }（{ $points } 分）：{ $headline }
report-fragile = { $tests }：在这里能通过，但不稳健——{ $why }
report-failed-at = 失败于测试 { $test } 的第 { $step } 步（测试规格第 { $line } 行）：{ $description }
report-grader-error = 评测器出错
report-expected = 预期：
report-received = 收到：
report-nothing = 什么也没有
report-where = 出错位置：
detail-generated-input = 第 { $number } 个（共 { $count } 个）自动生成的输入：输入了 { $input }，参考程序的回答是 { $answer }（用 --seed { $seed } 可以再次得到同样的输入）
detail-listed-input = 第 { $number } 个（共 { $count } 个）输入：输入了 { $input }，参考程序的回答是 { $answer }
detail-first-difference = 前 { $at } 个字节是对的；第 { $at } 个字节不同（期望 { $expected }，收到 { $received }）
detail-partly-arrived = 期望的 { $expected } 个字节中只收到了前 { $arrived } 个
detail-extra-bytes = 期望的 { $expected } 个字节全部到达，之后又多了 { $count } 个：{ $extra }
isolation-namespace = 每个测试使用独立的网络命名空间
isolation-fenced = 本机回环地址，一次一个测试，没有命名空间：程序在本机上运行，只能访问它自己的文件夹和系统文件夹
isolation-unconfined = 本机回环地址，一次一个测试，没有沙箱：程序在本机上运行，可以读取你的文件
report-your-program = 你的程序：
report-what-happened = 发生了什么：
report-limit = 触发限制：
report-output = 你的程序的 { $stream }：
report-output-tail = 你的程序的 { $stream }（共 { $lines } 行，只显示最后 { $shown } 行）：
report-hint = 提示：
report-rerun = 重新运行这个测试：

## 发生了什么（过程记录），每件事一行

byte-count = { $count } 字节
entry-started = 程序启动：{ $command }
entry-listening = 程序在 TCP { $address } 上监听
entry-connected = { $client } 连接到 { $address }
entry-sent = { $client } 发送了 { $bytes }（{ $count }）
entry-sent-pieces = { $client } 分 { $pieces } 段发送了 { $bytes }（{ $count }）
entry-received = { $client } 收到了 { $bytes }（{ $count }）
entry-quiet = { $client } 在 { $during } 内什么也没有收到
entry-closed-by-program = 程序关闭了与{ $client } 的连接
entry-closed = { $client } 关闭了连接
entry-shut-down = { $client } 停止发送（半关闭）
entry-reset = { $client } 重置了连接（RST）
entry-bound = 程序绑定了 UDP { $address }
entry-connected-to-grader = { $client } 接受了程序从 { $from } 发起的连接
entry-datagram-sent = 对端 { $peer } 向 { $to } 发送了数据报 { $bytes }（{ $count }）
entry-datagram-received = 对端 { $peer } 从 { $from } 收到了数据报 { $bytes }（{ $count }）
entry-no-datagram = 对端 { $peer } 在 { $during } 内没有收到数据报
entry-typed = 输入了 { $bytes }
entry-file-written = 程序写出了文件 { $path }：{ $bytes }
entry-stdin-closed = 关闭了 stdin
entry-printed = 程序在 { $stream } 上输出：{ $text }
entry-answered = 输入了 { $count } 条自动生成的数据；每个答案都与 { $oracle } 参考程序的答案相同
entry-answered-own = 输入了 { $count } 条数据；每个答案都与本练习参考程序的答案相同
reference-failed = 本练习的参考程序无法给出答案：{ $error }
reference-not-a-file = 本练习的参考程序不是练习文件夹中的程序文件
reference-not-asked = 没有向它提问
reference-missing-answer = 没有向它提问输入 { $input }
reference-stderr = ；它在 stderr 上的最后一行：{ $line }
reference-too-slow = 它在 { $limit } 内没有给出答案
reference-input-failed = 它在输入 { $input } 之前结束了或不再读取输入
reference-no-answer = 对输入 { $input }，它没有输出 `answers:` 中列出的任何答案（它输出了 { $printed }）
reference-several-answers = 对输入 { $input }，它输出了多个答案（{ $answers }）
entry-exited = 程序{ $end }
entry-accepted = 程序接受（accept）了{ $client } 的连接
entry-not-accepted = 程序还没有接受（accept）{ $client } 的连接（它还在监听队列中等待）
entry-end = 程序{ $end }
entry-interrupted-traceback = KeyboardInterrupt（评测器按 Ctrl-C 引起的 traceback，不显示）

## 程序是怎样结束的

end-stopped = 被评测器用 { $signal } 停止
end-stopped-code = 被评测器用 { $signal } 停止（退出码 { $code }）
end-stopped-by = 被评测器用 { $signal } 停止，最终被 { $by } 终止
end-exited = 自行结束，退出码为 { $code }
end-crashed = 崩溃了，收到信号 { $signal }
signal-interrupt = Ctrl-C (SIGINT)
signal-cpu = { $name }（CPU 时间用完了）
signal-file-size = { $name }（文件大小超出限制）
signal-segfault = { $name }（段错误）
signal-pipe = { $name }（向已关闭的连接写入）

## 运行时触发的限制

limit-cpu = CPU 时间已达上限（{ $limit }）
limit-memory = 内存已达上限（{ $limit }）
limit-processes = 进程数已达上限（{ $count } 个进程和线程）：有一次 fork() 失败了
limit-open-files = 打开的文件数已达上限（{ $count }）
limit-file-size = 文件大小已达上限（{ $limit }）
limit-output-cut = { $stream } 在 { $kept } 处被截断：一共写了 { $total } 字节
entry-limit = 限制：{ $limit }

## 全班汇总

summary-all-passed = 全部测试通过
summary-cause = { $tests }：{ $headline }
summary-grader-error = 测试 { $test }：netgrade 无法运行它：{ $error }
summary-could-not-grade = netgrade 无法评测这份提交：{ $error }

## netgrade list 和 show

list-size = { $tests } 个测试，{ $points } 分
show-no-statement = （没有题目说明 statement.md）
show-tests = 测试：
show-test-points = { $points } 分

## 提交：无法运行的情况

submission-missing = 没有指定程序：请给出程序文件（`server.py`、`./server`），或者在 `--` 之后给出命令
submission-both = 程序路径和 `--` 之后的命令只能给一个，不能同时给
submission-not-found = 没有这个文件：{ $path }
submission-folder = { $path } 是一个文件夹；请指定其中的程序文件（例如 { $path }/server.py）
submission-not-executable = { $path } 既不是 .py 文件，也不是 .rs 文件，也不可执行；请把它设为可执行（chmod +x），或者在 `--` 之后给出完整的命令
submission-command-not-found = 在 PATH 中找不到 `{ $command }`；请安装它，或者给出它的完整路径
submission-unreadable = netgrade 无法读取 { $path }，也就无法把它交给你的程序（{ $reason }）；请检查文件的权限
submission-link = { $path } 是一个符号链接：netgrade 不会跟随链接，请直接指定文件本身
submission-copy = 无法复制提交的文件：{ $reason }
stage-unreadable = 无法读取 { $path }：{ $reason }
not-runnable-empty = 提交的内容是空的
not-runnable-no-program = 没有找到程序（查找了：{ $looked_for }）
not-runnable-ambiguous-named = 这里有 { $count } 个 .py 文件，但它们的名字都不是 { $names }：请把程序命名为 { $first }，或者用 --entry NAME 指定其中一个（{ $files }）
not-runnable-ambiguous = 这里有 { $count } 个 .py 文件：请用 --entry NAME 指定其中一个（{ $files }）
not-runnable-bad-pattern = 程序入口模式 `{ $pattern }` 有误：{ $error }
not-runnable-compile = 编译失败：{ $error }
not-runnable-too-large = 提交的内容太大，无法评测：{ $bound }
not-runnable-hidden = { $path } 不属于提交的内容（它是隐藏文件，或者位于被跳过的文件夹中）
looked-for-single-python = 唯一的 .py 文件
looked-for-single-executable = 唯一的可执行文件
size-entries = 文件和文件夹超过 { $max } 个
size-files = 文件超过 { $max } 个
size-bytes = 超过 { $max } MiB
size-depth = 文件夹嵌套超过 { $max } 层
compile-no-compiler = 这里没有 Rust 编译器：{ $reason }
compile-refused = rustc 编译失败：
compile-over-limits = rustc 没能完成编译：{ $reason }
compile-took-too-long = 用时超过了 { $limit }
compile-failed = 无法运行 rustc：{ $reason }

## watch and show

no-such-test = --test { $number }：练习 { $id } 的测试编号是 1 到 { $count }
show-test-title = { $id }——测试 { $number }：{ $name }
show-spec = 测试规格：{ $source }
show-robustness-advice = 稳健性检查，只是建议（没通过不扣分，显示为“在这里能通过，但不稳健”）：{ $why }
show-robustness-counts = 稳健性检查（计分）：{ $why }
show-steps = 步骤：
show-args = 启动程序时的参数：{ $args }
show-spec-line = （测试规格第 { $line } 行）
watch-missing = 没有这个文件或文件夹：{ $path }
watch-round = 第 { $round } 轮：正在评测 { $program } …
watch-also-failing = 其他没通过的测试：
watch-waiting = 正在监视 { $path }——保存后会自动重新评测，按 Ctrl-C 结束
watch-gone = { $path } 不见了，等它回来后继续评测（按 Ctrl-C 结束）
watch-error = 监视文件保存时出错：{ $error }
watch-cannot-watch = 无法监视文件的保存
watch-stopped = 对文件保存的监视停止了

## HTML report

html-page-title = netgrade · { $id } · { $score }/{ $max }
html-tests = 测试
html-causes = 哪里出了问题
html-footer = 由 netgrade 生成。程序输出或发送的一切都只作为文字显示，绝不会被执行；把鼠标停在箭头上可以看到完整的消息。
html-diagram = 按顺序发生的事情：左边是评测器一方，中间是你的程序，右边是它的屏幕输出
html-packets = 线路上：在测试的回环接口上捕获了 { $count } 个数据包（序列号和确认号都是相对值）
html-lane-program = 你的程序
html-lane-keyboard = 键盘
html-lane-stdout = 屏幕
html-lane-stderr = 错误输出
html-lane-peer = UDP 对端 { $name }
html-arrow-connect = connect() 连接到 { $address }
html-arrow-connect-from = 从 { $from } 发起 connect()
html-arrow-close = FIN · close() 关闭
html-arrow-shutdown = FIN · shutdown()（半关闭）
html-arrow-reset = RST · 重置连接
html-arrow-eof = EOF · Ctrl-D（关闭了 stdin）
html-pieces = { $count }，分 { $pieces } 段
html-note-listening = 在 TCP { $address } 上 listen()
html-note-bound = 在 UDP { $address } 上 bind()
html-note-accepted = accept() → { $client }
html-note-not-accepted = { $client } 在监听队列中等待（还没有被 accept）
html-note-quiet = { $during } 内什么也没有收到
html-failed-step = ✗ 第 { $step } 步：{ $description }
html-fragile-step = ~ 第 { $step } 步：{ $description }
html-failed = ✗ { $problem }
html-more-rows = …… 还有 { $count } 项没有画出
html-misdirected = { $count }，却发到了这里

## netgrade verify

verify-building = netgrade：正在构建参考答案（cargo build --release）…
verify-no-reference = 未验证：测试规格没有指定参考答案
verify-reference = 参考答案 { $reference }
verify-reference-missing = 参考答案 { $reference } 不存在（含有 `.` 或 `/` 的 `reference:` 指的是练习文件夹中的文件）
verify-binary-missing = 参考程序 `{ $name }` 没有被构建；它是 reference/Cargo.toml 中的 [[bin]] 吗？（练习文件夹中的参考文件，名字里需要有 `.` 或 `/`）
verify-summary = 已验证 { $verified } 个练习，用时 { $seconds } 秒
verify-summary-unverified = 已验证 { $total } 个练习中的 { $verified } 个，用时 { $seconds } 秒；未验证（没有参考答案）：{ $unverified }
