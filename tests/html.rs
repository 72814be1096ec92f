//! `--format html`, seen by a browser: a known fixture is graded into one page, headless
//! Chromium loads it from disk and dumps the DOM it built, and the DOM is checked — one section
//! per test with the right status, the arrows of a known test's sequence diagram, the failing
//! step marked, nothing fetched from outside, and a program's `<script>` shown as text (on a
//! page in Chinese, whose `lang` says so).
//!
//! Chromium is required (Debian package `chromium`; `.ci/run` installs it): without it these
//! tests fail, they do not skip.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{fixtures, netgrade, program_for, repo};

/// The headless browser: `chromium` or `chromium-browser` on PATH.
fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "headless Chromium is needed to check the HTML report (tests/html.rs), and \
                 neither `chromium` nor `chromium-browser` is on PATH: run .ci/run, which \
                 installs it, or `apt-get install -y chromium`"
            )
        })
}

/// The DOM Chromium builds from `page` (a local file), as HTML.
fn dump_dom(page: &Path, scratch: &Path) -> String {
    let child = Command::new(chromium())
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
        ])
        .arg(format!(
            "--user-data-dir={}",
            scratch.join("profile").display()
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let pid = child.id();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let output = match finished.recv_timeout(Duration::from_secs(180)) {
        Ok(output) => output.expect("chromium runs"),
        Err(_) => {
            // Only the browser this test started.
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!(
                "chromium did not dump the DOM of {} within 3 minutes",
                page.display()
            );
        }
    };
    let dom = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success() && dom.contains("</html>"),
        "chromium failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    dom
}

/// Grades `program` on `exercise` into `page` with `--format html`, in `lang`; returns the
/// exit code.
fn grade_html(exercise: &str, program: &Path, page: &Path, lang: &str) -> i32 {
    let output = netgrade()
        .args(["--lang", lang, "test", exercise])
        .arg(program)
        .args(["--format", "html", "--output"])
        .arg(page)
        .output()
        .expect("netgrade runs");
    assert!(
        page.is_file(),
        "no page written: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.status.code().expect("netgrade exits normally")
}

/// The `<section>` of test `number` in the DOM.
fn section(dom: &str, number: usize) -> &str {
    let start = dom
        .find(&format!("id=\"test-{number}\""))
        .unwrap_or_else(|| panic!("no section for test {number}"));
    let end = dom[start..]
        .find("</section>")
        .map_or(dom.len(), |end| start + end);
    &dom[start..end]
}

/// Nothing the page refers to lies outside it: no tag loads anything (`src`, a style sheet,
/// a script, a frame), every link goes to one of its own anchors, and the style sheet fetches
/// nothing. (What the program printed may say `src=` or `http://`: as text, that is fine.)
fn assert_self_contained(html: &str) {
    // Text is escaped, so every `<` starts a tag; a tag ends at its first `>`.
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        let name = tag.split_whitespace().next().unwrap_or_default();
        assert!(
            ![
                "script", "link", "iframe", "object", "embed", "img", "image", "use", "base"
            ]
            .contains(&name.to_ascii_lowercase().as_str()),
            "a <{name}> tag: <{tag}>"
        );
        for attribute in [" src=", " srcset=", " xlink:href=", " action=", " style="] {
            assert!(!tag.contains(attribute), "<{tag}> refers outside the page");
        }
        for (at, _) in tag.match_indices(" href=\"") {
            assert!(
                tag[at + 7..].starts_with('#'),
                "a link leaves the page: <{tag}>"
            );
        }
        assert!(!tag.contains("url("), "<{tag}>");
    }
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|rest| rest.split("</style>").next())
        .expect("an inline style sheet");
    for forbidden in ["url(", "@import", "@font-face", "http"] {
        assert!(
            !style.contains(forbidden),
            "the style sheet fetches ({forbidden})"
        );
    }
}

#[test]
fn a_graded_page_shows_every_test_its_diagram_and_the_failing_step() {
    chromium(); // before grading: without a browser, say so at once
    let fixture = fixtures("tcp-server")
        .into_iter()
        .find(|f| f.source.ends_with("one_client_then_exit.py"))
        .expect("the fixture exists");
    let plan = netgrade::pack::ExercisePack::Folder(repo().join("exercises"))
        .find("tcp-server")
        .expect("the exercise loads")
        .0;
    let failing = fixture.expectation.failing_tests(&plan);
    let fragile = fixture.expectation.fragile_tests(&plan);
    assert!(
        failing.contains(&4),
        "the fixture fails test 4: {failing:?}"
    );

    let scratch = tempfile::tempdir().expect("a temporary folder");
    let page = scratch.path().join("page.html");
    let code = grade_html("tcp-server", &program_for(&fixture.source), &page, "en");
    assert_eq!(code, 1, "some test failed");
    let html = std::fs::read_to_string(&page).expect("the page is UTF-8");
    assert!(
        html.len() < 1_000_000,
        "the page stays small: {} bytes",
        html.len()
    );
    assert_self_contained(&html);

    let dom = dump_dom(&page, scratch.path());
    assert!(dom.contains("<html lang=\"en\">"), "{dom}");
    assert_self_contained(&dom);
    // One section per test, each with the status the fixture declares.
    assert_eq!(
        dom.matches("<section class=\"test ").count(),
        plan.tests.len(),
        "{dom}"
    );
    for number in 1..=plan.tests.len() {
        let expected = if failing.contains(&number) {
            "failed"
        } else if fragile.contains(&number) {
            "fragile"
        } else {
            "passed"
        };
        let test = section(&dom, number);
        assert!(
            test.contains(&format!("data-status=\"{expected}\"")),
            "test {number} is not {expected}:\n{test}"
        );
        let marked = test.matches("data-failed-step=").count();
        assert_eq!(
            marked,
            usize::from(expected == "failed"),
            "test {number}: failing step marks\n{test}"
        );
        assert!(
            test.contains("<svg class=\"diagram sequence\""),
            "test {number}: no diagram"
        );
    }
    // Test 4: client a connects, sends "first", receives "Thanks" and closes; the program has
    // ended, and client b's connect (step 5) is refused.
    let test4 = section(&dom, 4);
    assert_eq!(test4.matches(" data-arrow=").count(), 5, "{test4}");
    assert_eq!(
        test4.matches("data-arrow=\"connect\"").count(),
        2,
        "{test4}"
    );
    assert_eq!(test4.matches("data-arrow=\"fin\"").count(), 1, "{test4}");
    assert!(
        test4.contains("data-arrow=\"connect\" data-failed-step=\"5\""),
        "the refused connect is the failing step:\n{test4}"
    );
    assert!(test4.contains("✗ step 5: client b connects"), "{test4}");
    assert!(
        test4.contains("<p class=\"step\" data-step=\"5\">"),
        "{test4}"
    );
    assert!(
        test4.contains("put accept() in an outer loop"),
        "the test's hint:\n{test4}"
    );
    assert!(
        test4.contains("class=\"lifeline-end\""),
        "the program's end is drawn"
    );
    assert!(
        test4.contains("Receive message: first"),
        "the program's stdout"
    );
    // When the run's packets were captured, they are drawn under the diagram.
    if test4.contains("class=\"wire\"") {
        assert!(test4.contains("data-packet=\"syn\""), "{test4}");
        assert!(test4.contains("data-packet=\"synack\""), "{test4}");
    }
    // The fragile test is marked as such, not as failed.
    for number in &fragile {
        assert!(section(&dom, *number).contains("data-fragile-step="));
    }
}

#[test]
fn what_a_program_prints_is_shown_as_text_never_run_in_chinese_too() {
    chromium();
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let program = scratch.path().join("server.py");
    std::fs::write(
        &program,
        "print(\"<script>document.title='owned'</script>\")\n\
         print('<img src=x onerror=alert(1)> & <b>bold</b>')\n\
         import sys\n\
         print('</pre></section><script>alert(2)</script>', file=sys.stderr)\n",
    )
    .expect("the program is written");
    let page = scratch.path().join("page.html");
    // In Chinese: the page says its language, and the texts are Chinese.
    let code = grade_html("tcp-server", &program, &page, "zh");
    assert_eq!(code, 1, "a program that never listens fails");
    let dom = dump_dom(&page, scratch.path());
    assert!(dom.contains("<html lang=\"zh-CN\">"), "{dom}");
    assert!(dom.contains("你的程序"), "{dom}");
    assert_self_contained(&dom);
    assert!(!dom.contains("<img"), "{dom}");
    assert!(!dom.contains("<b>bold"), "{dom}");
    assert!(
        dom.contains("&lt;script&gt;document.title='owned'&lt;/script&gt;"),
        "the output is on the page, as text:\n{dom}"
    );
    assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"));
    assert!(dom.contains("&lt;/pre&gt;&lt;/section&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert!(!dom.contains("<title>owned"), "no script ran");
    // The stray closing tags did not close the page's own sections early.
    let plan = netgrade::pack::ExercisePack::Folder(repo().join("exercises"))
        .find("tcp-server")
        .expect("the exercise loads")
        .0;
    assert_eq!(
        dom.matches("<section class=\"test ").count(),
        plan.tests.len()
    );
    let statuses: BTreeSet<&str> = ["failed", "fragile"].into();
    for number in 1..=plan.tests.len() {
        let test = section(&dom, number);
        assert!(
            statuses
                .iter()
                .any(|s| test.contains(&format!("data-status=\"{s}\""))),
            "test {number}:\n{test}"
        );
    }
}
