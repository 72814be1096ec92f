//! Every language has every message: the Fluent files have the same ids, each with the same
//! variables; every message renders in both languages without a formatting error; and every
//! kind of problem a student can meet is put in words in both languages. Machine formats keep
//! their English `kind`s whatever the language.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::time::Duration;

use fluent_syntax::ast;
use i18n_embed::fluent::FluentLanguageLoader;
use netgrade::i18n::{Language, loader_for, set_language};
use netgrade::peers::ReadEnd;
use netgrade::program::{ExitKind, ProgramEnd};
use netgrade::report::problem_kind;
use netgrade::submission::NotRunnable;
use netgrade::verdict::{Problem, Transport, Waiting};

/// A language's file: message id → the variables it uses.
fn messages(language: Language) -> BTreeMap<String, BTreeSet<String>> {
    let path = common::repo()
        .join("i18n")
        .join(language.id().to_string())
        .join("netgrade.ftl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let resource = fluent_syntax::parser::parse(text.as_str())
        .unwrap_or_else(|(_, errors)| panic!("{path:?}: syntax errors: {errors:?}"));
    let mut found = BTreeMap::new();
    for entry in resource.body {
        match entry {
            ast::Entry::Message(message) => {
                let mut variables = BTreeSet::new();
                if let Some(pattern) = &message.value {
                    pattern_variables(pattern, &mut variables);
                }
                let id = message.id.name.to_owned();
                assert!(
                    found.insert(id.clone(), variables).is_none(),
                    "{path:?}: {id} twice"
                );
            }
            ast::Entry::Junk { content } => panic!("{path:?}: not Fluent: {content}"),
            _ => {}
        }
    }
    found
}

fn pattern_variables(pattern: &ast::Pattern<&str>, variables: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, variables);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, variables: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Inline(inline) => inline_variables(inline, variables),
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, variables);
            for variant in variants {
                pattern_variables(&variant.value, variables);
            }
        }
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, variables: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            variables.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => {
            expression_variables(expression, variables);
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, variables);
            }
        }
        _ => {}
    }
}

#[test]
fn every_language_has_every_message_with_the_same_variables() {
    let english = messages(Language::En);
    assert!(english.len() > 150, "{} messages", english.len());
    for language in Language::ALL {
        let other = messages(language);
        let missing: Vec<_> = english
            .keys()
            .filter(|id| !other.contains_key(*id))
            .collect();
        let extra: Vec<_> = other
            .keys()
            .filter(|id| !english.contains_key(*id))
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{language:?}: missing {missing:?}, unknown {extra:?}"
        );
        for (id, variables) in &other {
            assert_eq!(
                variables, &english[id],
                "{language:?} {id}: variables differ"
            );
        }
    }
}

/// Renders `id` with every variable it uses set (numbers 1 and 2, to reach plural forms).
fn render(loader: &FluentLanguageLoader, id: &str, variables: &BTreeSet<String>, n: i64) -> String {
    let mut arguments = std::collections::HashMap::new();
    for variable in variables {
        arguments.insert(variable.clone(), fluent_bundle::FluentValue::from(n));
    }
    loader.get_args(id, arguments)
}

#[test]
fn every_message_renders_in_every_language() {
    let english = messages(Language::En);
    for language in Language::ALL {
        let loader = loader_for(language);
        for (id, variables) in &english {
            for n in [1, 2] {
                let text = render(&loader, id, variables, n);
                assert!(
                    !text.is_empty() && !text.contains("{$") && !text.contains("Unknown"),
                    "{language:?} {id}: {text:?}"
                );
            }
        }
    }
}

/// One problem of every kind (the match below fails to compile when a kind is added).
fn every_problem() -> Vec<Problem> {
    let address: SocketAddr = "127.0.0.1:8888".parse().unwrap();
    let second = Duration::from_secs(1);
    let ended = ProgramEnd {
        exit: ExitKind::Code(1),
        stopped_with: None,
    };
    let problems = vec![
        Problem::EndedBeforeListening {
            transport: Transport::Udp,
            port: 8888,
        },
        Problem::NeverListened {
            port: 8888,
            waited: second,
            elsewhere: vec![],
            waiting: Some(Waiting::Keyboard),
        },
        Problem::WrongBindAddress {
            required: "0.0.0.0".parse().unwrap(),
            found: address,
        },
        Problem::ConnectFailed {
            client: "a".into(),
            address,
            error: "refused".into(),
        },
        Problem::WrongReply {
            client: "a".into(),
            expected: "x".into(),
            received: b"y".to_vec(),
        },
        Problem::NoReply {
            client: "a".into(),
            expected: "x".into(),
            received: vec![],
            waited: second,
            misdirected: None,
            waiting: Some(Waiting::Network),
        },
        Problem::ConnectionEnded {
            client: "a".into(),
            expected: "x".into(),
            received: vec![],
            how: ReadEnd::Reset,
        },
        Problem::UnexpectedData {
            client: "a".into(),
            received: b"z".to_vec(),
            wanted_close: true,
        },
        Problem::NotClosed {
            client: "a".into(),
            waited: second,
            waiting: None,
        },
        Problem::SendFailed {
            client: "a".into(),
            error: "reset".into(),
        },
        Problem::TestTimedOut { limit: second },
        Problem::NeverConnected {
            port: 8888,
            waited: second,
        },
        Problem::EndedBeforeConnecting { port: 8888 },
        Problem::NeverBound {
            port: 8888,
            waited: second,
            elsewhere: vec![address],
            waiting: None,
        },
        Problem::WrongOutput {
            stream: "stdout",
            expected: "x".into(),
            received: b"y".to_vec(),
            ended: false,
            waiting: Some(Waiting::Keyboard),
        },
        Problem::NoOutput {
            stream: "stdout",
            expected: "x".into(),
            received: vec![],
            waited: second,
        },
        Problem::InputFailed {
            error: "closed".into(),
        },
        Problem::FileMissing {
            path: "hello.txt".into(),
            ended: true,
            waiting: None,
        },
        Problem::WrongFile {
            path: "hello.txt".into(),
            expected: "x".into(),
            received: b"y".to_vec(),
        },
        Problem::SeveralAnswers {
            expected: "system".into(),
            printed: vec!["system".into(), "user".into()],
            input: Some("1023".into()),
            received: b"system\nuser\n".to_vec(),
        },
        Problem::WrongExit {
            expected: Some(0),
            end: ended,
        },
        Problem::NotExited {
            waited: second,
            waiting: Some(Waiting::Keyboard),
        },
        Problem::WrongDatagram {
            peer: "a".into(),
            expected: "x".into(),
            received: b"y".to_vec(),
            from: address,
        },
        Problem::NoDatagram {
            peer: "a".into(),
            expected: "x".into(),
            waited: second,
            misdirected: None,
            program_ended: true,
            waiting: None,
        },
        Problem::UnexpectedDatagram {
            peer: "a".into(),
            received: vec![],
        },
        Problem::DatagramSendFailed {
            peer: "a".into(),
            error: "refused".into(),
        },
        Problem::Traceback {
            last_line: "ValueError".into(),
        },
        Problem::NotRun {
            reason: NotRunnable::Empty,
        },
    ];
    for problem in &problems {
        // Exhaustive on purpose: a new kind must be added above.
        match problem {
            Problem::EndedBeforeListening { .. }
            | Problem::NeverListened { .. }
            | Problem::WrongBindAddress { .. }
            | Problem::ConnectFailed { .. }
            | Problem::WrongReply { .. }
            | Problem::NoReply { .. }
            | Problem::ConnectionEnded { .. }
            | Problem::UnexpectedData { .. }
            | Problem::NotClosed { .. }
            | Problem::SendFailed { .. }
            | Problem::TestTimedOut { .. }
            | Problem::NeverConnected { .. }
            | Problem::EndedBeforeConnecting { .. }
            | Problem::NeverBound { .. }
            | Problem::WrongOutput { .. }
            | Problem::NoOutput { .. }
            | Problem::InputFailed { .. }
            | Problem::SeveralAnswers { .. }
            | Problem::FileMissing { .. }
            | Problem::WrongFile { .. }
            | Problem::WrongExit { .. }
            | Problem::NotExited { .. }
            | Problem::WrongDatagram { .. }
            | Problem::NoDatagram { .. }
            | Problem::UnexpectedDatagram { .. }
            | Problem::DatagramSendFailed { .. }
            | Problem::Traceback { .. }
            | Problem::NotRun { .. } => {}
        }
    }
    problems
}

/// Every kind of problem in both languages: each says something, the two differ (it is
/// translated), and the machine-readable kind stays the same English word.
#[test]
fn every_kind_of_problem_is_said_in_both_languages() {
    let problems = every_problem();
    set_language(Language::En);
    let english: Vec<(String, String)> = problems
        .iter()
        .map(|p| (problem_kind(p).to_owned(), p.explain()))
        .collect();
    set_language(Language::Zh);
    let chinese: Vec<(String, String)> = problems
        .iter()
        .map(|p| (problem_kind(p).to_owned(), p.explain()))
        .collect();
    set_language(Language::En);
    for ((kind, en), (zh_kind, zh)) in english.iter().zip(&chinese) {
        assert_eq!(kind, zh_kind);
        assert!(!en.is_empty() && !zh.is_empty(), "{kind}");
        assert_ne!(en, zh, "{kind} is not translated");
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{kind}: {zh}"
        );
    }
}

#[test]
fn the_language_follows_the_flag_then_the_locale() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    assert_eq!(Language::choose(None, env(&[])), Language::En);
    assert_eq!(
        Language::choose(None, env(&[("LANG", "zh_CN.UTF-8")])),
        Language::Zh
    );
    assert_eq!(
        Language::choose(None, env(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")])),
        Language::En
    );
    assert_eq!(
        Language::choose(Some(Language::Zh), env(&[("LC_ALL", "en_US.UTF-8")])),
        Language::Zh
    );
    assert_eq!(
        Language::choose(None, env(&[("LC_ALL", ""), ("LANG", "zh_TW")])),
        Language::Zh
    );
}

/// `--lang zh` and `LANG=zh_CN.UTF-8` give a Chinese report; the JSON's kinds stay English.
#[test]
fn a_report_in_chinese_keeps_machine_kinds_in_english() {
    let program = "exercises/tcp-server/solutions/bad/one_client_then_exit.py";
    let by_flag = common::netgrade()
        .args(["--lang", "zh", "test", "tcp-server", program, "--test", "4"])
        .output()
        .unwrap();
    // The client's ephemeral port differs from run to run.
    let port = regex::Regex::new(r"'127\.0\.0\.1', \d+").unwrap();
    let masked = |bytes: Vec<u8>| {
        port.replace_all(&String::from_utf8(bytes).unwrap(), "<port>")
            .into_owned()
    };
    let text = masked(by_flag.stdout);
    assert!(text.contains("提示"), "{text}");
    let by_locale = common::netgrade()
        .env("LANG", "zh_CN.UTF-8")
        .args(["test", "tcp-server", program, "--test", "4"])
        .output()
        .unwrap();
    assert_eq!(masked(by_locale.stdout), text);
    let json = common::netgrade()
        .args(["--lang", "zh", "test", "tcp-server", program, "--test", "4"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(document["tests"][0]["failure"]["kind"], "connect_failed");
}
