//! Property tests over the spec loader: whatever bytes or YAML-shaped text it is given, it
//! returns a spec or errors that each name the file (and, when they have one, a line and a
//! column, in the order of the file), in words without Rust's type names, and never panics.
//! Bounded: a fixed number of cases per property (the suite's time stays small).

use netgrade::plan::Exercise;
use netgrade::spec::SpecError;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const SOURCE: &str = "fuzz/exercise.yaml";

/// Pieces real specs are made of, so the generator reaches deep into the schema.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("id: t\n".to_owned()),
        Just("title: T\n".to_owned()),
        Just("program: { listens: { tcp: 8888 } }\n".to_owned()),
        Just("tests:\n".to_owned()),
        Just("  - name: n\n".to_owned()),
        Just("    steps:\n".to_owned()),
        Just("      - connect: a\n".to_owned()),
        Just("      - send: { to: a, text: hi }\n".to_owned()),
        Just("      - send: { to: a, hex: 'zz' }\n".to_owned()),
        Just("      - expect: { from: a, regex: '(' }\n".to_owned()),
        Just("      - expect: { from: a, text: x, repeat: 4294967295 }\n".to_owned()),
        Just("      - close: a\n".to_owned()),
        Just("timeouts: { step: 99999h }\n".to_owned()),
        Just("limits: { memory: 1EiB }\n".to_owned()),
        Just("      - expect: { from: a, text: x, timeout: 200 }\n".to_owned()),
        Just("      - send: { to: a, text: x, piece_size: -1 }\n".to_owned()),
        Just("      - expect_exit: { code: x }\n".to_owned()),
        Just("      - clsoe: a\n".to_owned()),
        Just("    points: -3\n".to_owned()),
        Just("    hnit: x\n".to_owned()),
        Just("    timeout: 2h\n".to_owned()),
        Just("program: { listens: { tcp: 70000 } }\n".to_owned()),
        Just("limits: { processes: x, open_files: [1] }\n".to_owned()),
        Just("&a [*a]\n".to_owned()),
        Just("<<: *x\n".to_owned()),
        "[ -~]{0,40}\n",
        "[\\[\\]{}:,\\- ]{0,20}\n",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(error) = Exercise::from_yaml(&text, SOURCE) {
            prop_assert!(error.to_string().contains(SOURCE), "{error}");
            check_problems(&error, &text)?;
        }
    }

    #[test]
    fn yaml_shaped_text_never_panics(parts in proptest::collection::vec(fragment(), 0..30)) {
        let text = parts.concat();
        if let Err(error) = Exercise::from_yaml(&text, SOURCE) {
            prop_assert!(error.to_string().contains(SOURCE), "{error}");
            check_problems(&error, &text)?;
        }
    }
}

/// Rust's type names, which a message never uses unless the spec itself does.
const RUST_WORDS: [&str; 10] = [
    "i32", "u32", "u16", "u64", "usize", "f64", "Duration", "Option", "Vec", "String",
];

/// Each problem names the file, the positions come in the order of the file, and no message
/// speaks Rust.
fn check_problems(error: &SpecError, text: &str) -> Result<(), TestCaseError> {
    let mut last = (0, 0);
    for problem in error.problems() {
        let shown = problem.to_string();
        prop_assert!(shown.starts_with(SOURCE), "{shown}");
        if let SpecError::Invalid { line, column, .. } = problem {
            prop_assert!(*line >= 1 && *column >= 1, "{shown}");
            prop_assert!((*line, *column) >= last, "out of order: {error}");
            last = (*line, *column);
        }
        let words: Vec<&str> = shown.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        for rust in RUST_WORDS {
            prop_assert!(
                !words.contains(&rust) || text.contains(rust),
                "`{rust}` in: {shown}"
            );
        }
    }
    Ok(())
}

#[test]
fn a_huge_spec_is_refused_before_parsing() {
    let huge = "# padding\n".repeat(200_000);
    let error = Exercise::from_yaml(&huge, SOURCE).unwrap_err();
    assert!(error.to_string().contains("the limit is"), "{error}");
}

#[test]
fn an_alias_bomb_is_bounded() {
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    // The parser's alias budget refuses it (an unbounded expansion would never return).
    let error = Exercise::from_yaml(bomb, SOURCE).unwrap_err();
    assert!(error.to_string().contains(SOURCE), "{error}");
}
