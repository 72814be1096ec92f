//! Every known-good and known-bad fixture program really runs and gets the verdict it
//! declares (`netgrade-expect:`), with the exit code that goes with it; the messages for the
//! bad ones name the actual problem.

mod common;

use common::{failed_tests, fixtures, grade_json, program_for, repo, test_json, tests_with_status};

/// Grades one fixture and checks the declared verdict.
fn check(exercise: &str, file: &str) -> serde_json::Value {
    let fixture = fixtures(exercise)
        .into_iter()
        .find(|f| f.source.ends_with(file))
        .unwrap_or_else(|| panic!("no fixture {file} for {exercise}"));
    let (code, document) = grade_json(exercise, &program_for(&fixture.source), &[]);
    let plan = netgrade::pack::ExercisePack::Folder(repo().join("exercises"))
        .find(exercise)
        .unwrap()
        .0;
    let expected_failures = fixture.expectation.failing_tests(&plan);
    assert_eq!(
        failed_tests(&document),
        expected_failures,
        "{file}: wrong tests failed\n{document:#}"
    );
    assert_eq!(
        tests_with_status(&document, "fragile"),
        fixture.expectation.fragile_tests(&plan),
        "{file}: wrong tests fragile\n{document:#}"
    );
    let expected_code = if expected_failures.is_empty() { 0 } else { 1 };
    assert_eq!(code, expected_code, "{file}: exit code");
    assert_eq!(document["passed"], expected_failures.is_empty());
    document
}

fn failure_kind(document: &serde_json::Value, test: usize) -> String {
    test_json(document, test)["failure"]["kind"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn message(document: &serde_json::Value, test: usize) -> String {
    test_json(document, test)["failure"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Every fixture on disk is covered by a test below (so a new fixture cannot be forgotten).
#[test]
fn every_fixture_has_a_test() {
    let source = std::fs::read_to_string(repo().join("tests/fixtures.rs")).unwrap();
    let exercises = std::fs::read_dir(repo().join("exercises")).unwrap();
    for exercise in exercises {
        let exercise = exercise.unwrap().file_name().into_string().unwrap();
        for fixture in fixtures(&exercise) {
            let name = fixture
                .source
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            assert!(
                source.contains(&format!("check(\"{exercise}\", \"{name}\")")),
                "{} has no test in tests/fixtures.rs",
                fixture.source.display()
            );
        }
    }
}

mod tcp_server {
    use super::*;

    #[test]
    fn loopback_server_passes() {
        let document = check("tcp-server", "server_loopback.py");
        assert_eq!(document["score"], document["max_score"]);
    }

    #[test]
    fn any_address_server_passes() {
        check("tcp-server", "server_any_address.py");
    }

    /// Waits with a timeout are not "idle": a server that pauses before it listens and
    /// before each reply is waited for, every time.
    #[test]
    fn a_server_that_pauses_passes() {
        check("tcp-server", "server_pauses_before_listening.py");
    }

    #[test]
    fn an_asyncio_server_passes() {
        check("tcp-server", "server_asyncio.py");
    }

    #[test]
    fn a_socketserver_server_passes() {
        check("tcp-server", "server_socketserver.py");
    }

    #[test]
    fn rust_reference_passes_as_a_student_program() {
        let binary = &common::references()["tcp-server"];
        let (code, document) = grade_json("tcp-server", binary, &[]);
        assert_eq!(code, 0, "{document:#}");
    }

    #[test]
    fn one_recv_per_client_fails_the_several_messages_test() {
        let document = check("tcp-server", "one_recv_per_client.py");
        assert_eq!(failure_kind(&document, 2), "connection_ended");
        assert!(message(&document, 2).contains("closed the connection of client a"));
    }

    #[test]
    fn one_recv_per_client_in_rust_fails_the_same_way() {
        let document = check("tcp-server", "one_recv_per_client.rs");
        assert_eq!(failure_kind(&document, 2), "connection_ended");
    }

    #[test]
    fn serving_one_client_then_exiting_is_named() {
        let document = check("tcp-server", "one_client_then_exit.py");
        assert_eq!(failure_kind(&document, 4), "connect_failed");
        assert!(message(&document, 4).contains("connection refused"));
        assert_eq!(
            test_json(&document, 4)["program_end"],
            "ended by itself with exit code 0"
        );
    }

    #[test]
    fn ignoring_the_empty_recv_is_caught() {
        let document = check("tcp-server", "no_empty_recv_check.py");
        // After the client's half-close, the server keeps "replying" instead of closing.
        assert_eq!(failure_kind(&document, 6), "unexpected_data");
    }

    #[test]
    fn replying_to_the_wrong_client_is_named() {
        let document = check("tcp-server", "replies_to_wrong_client.py");
        assert_eq!(failure_kind(&document, 7), "no_reply");
        assert!(
            message(&document, 7).contains("replied to the wrong client"),
            "{}",
            message(&document, 7)
        );
    }

    #[test]
    fn forgetting_listen_ends_before_listening_with_the_traceback() {
        let document = check("tcp-server", "forgets_listen.py");
        assert_eq!(failure_kind(&document, 1), "ended_before_listening");
        let transcript = test_json(&document, 1)["transcript"].as_str().unwrap();
        assert!(transcript.contains("Invalid argument"), "{transcript}");
    }

    #[test]
    fn a_syntax_error_is_shown() {
        let document = check("tcp-server", "syntax_error.py");
        let transcript = test_json(&document, 1)["transcript"].as_str().unwrap();
        assert!(transcript.contains("SyntaxError"), "{transcript}");
    }

    #[test]
    fn the_wrong_port_is_named() {
        let document = check("tcp-server", "wrong_port.py");
        assert_eq!(failure_kind(&document, 1), "never_listened");
        assert!(
            message(&document, 1).contains("listens on 127.0.0.1:8889, not on TCP port 8888"),
            "{}",
            message(&document, 1)
        );
    }
}

mod tcp_echo_server {
    use super::*;

    #[test]
    fn python_echo_server_passes() {
        check("tcp-echo-server", "echo_server.py");
    }

    #[test]
    fn threaded_rust_echo_server_passes() {
        check("tcp-echo-server", "echo_server.rs");
    }

    #[test]
    fn one_recv_per_client_loses_the_large_message() {
        let document = check("tcp-echo-server", "one_recv_per_client.py");
        let failure = &test_json(&document, 4)["failure"];
        assert_eq!(failure["received"]["length"], 1024);
        assert_eq!(
            failure["detail"],
            "only the first 1024 of 102400 expected bytes arrived"
        );
    }

    #[test]
    fn an_added_newline_is_reported_as_extra_bytes() {
        let document = check("tcp-echo-server", "adds_newline.py");
        assert_eq!(failure_kind(&document, 1), "unexpected_data");
        assert_eq!(test_json(&document, 1)["failure"]["received"]["text"], "\n");
    }

    #[test]
    fn decoding_binary_data_is_caught_at_the_first_changed_byte() {
        let document = check("tcp-echo-server", "decodes_text.py");
        assert_eq!(failure_kind(&document, 3), "wrong_reply");
        let detail = test_json(&document, 3)["failure"]["detail"]
            .as_str()
            .unwrap();
        assert!(detail.contains("byte 1 differs"), "{detail}");
    }

    #[test]
    fn decoding_each_recv_crashes_on_a_split_character() {
        let document = check("tcp-echo-server", "decodes_each_recv.py");
        let causes = document["causes"].as_array().unwrap();
        assert!(
            causes.iter().any(|cause| cause["headline"]
                .as_str()
                .unwrap()
                .contains("UnicodeDecodeError")),
            "{document:#}"
        );
    }
}

/// The message and the stdout the student sees for test `number`.
fn report_of(document: &serde_json::Value, number: usize) -> String {
    let test = test_json(document, number);
    format!(
        "{}\n{}\n{}",
        test["failure"]["message"].as_str().unwrap_or_default(),
        test["failure"]["detail"].as_str().unwrap_or_default(),
        test["transcript"].as_str().unwrap_or_default()
    )
}

mod port_ranges {
    use super::*;

    /// One input, one answer: every class printed for every port fails every test, the
    /// differential one included, with a message that names what it printed.
    #[test]
    fn printing_every_class_is_several_answers() {
        let document = check("port-ranges", "prints_every_class.py");
        assert_eq!(failure_kind(&document, 1), "several_answers");
        assert_eq!(
            message(&document, 1),
            "your program printed all of `well-known`, `system`, `user` and `invalid` for \"21\": one input must get one answer"
        );
        assert_eq!(failure_kind(&document, 6), "several_answers");
        // Said once, for all the tests it fails.
        assert_eq!(
            document["causes"].as_array().unwrap().len(),
            1,
            "{document:#}"
        );
    }

    /// The differential test catches the candidate printer on every seed, not by chance.
    #[test]
    fn the_differential_test_catches_a_candidate_printer_on_every_seed() {
        let program = repo().join("exercises/port-ranges/solutions/bad/prints_every_class.py");
        for seed in ["1", "2", "3", "17", "4242"] {
            let (code, document) =
                grade_json("port-ranges", &program, &["--test", "6", "--seed", seed]);
            assert_eq!(code, 1, "seed {seed}");
            assert_eq!(failure_kind(&document, 6), "several_answers", "seed {seed}");
        }
    }

    /// A menu and an explanation naming several classes are not answers.
    #[test]
    fn a_menu_and_an_explanation_before_the_answer_pass() {
        check("port-ranges", "menu_and_explanation.py");
    }

    #[test]
    fn try_except_solution_passes() {
        check("port-ranges", "port_ranges.py");
    }

    #[test]
    fn table_solution_with_prompt_lines_passes() {
        check("port-ranges", "ranges_table.py");
    }

    #[test]
    fn off_by_one_is_caught_at_the_edge_and_by_the_generated_inputs() {
        let document = check("port-ranges", "off_by_one.py");
        assert_eq!(failure_kind(&document, 2), "wrong_output");
        assert!(message(&document, 2).contains("\"well-known\""));
        let detail = test_json(&document, 6)["failure"]["detail"]
            .as_str()
            .unwrap();
        assert!(detail.contains("--seed"), "{detail}");
    }

    #[test]
    fn a_seed_replays_the_same_generated_inputs() {
        let fixture = repo().join("exercises/port-ranges/solutions/bad/off_by_one.py");
        let detail = |seed: &str| {
            let (_, document) =
                grade_json("port-ranges", &fixture, &["--test", "6", "--seed", seed]);
            test_json(&document, 6)["failure"]["detail"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let first = detail("11");
        assert!(first.contains("--seed 11"), "{first}");
        assert_eq!(first, detail("11"));
        // Another seed, other inputs: the first wrong answer is met elsewhere.
        let which = |detail: &str| detail.split(" (the same inputs").next().unwrap().to_owned();
        assert_ne!(which(&first), which(&detail("12")));
    }

    #[test]
    fn a_crash_on_a_word_is_caught() {
        let document = check("port-ranges", "crashes_on_words.py");
        assert!(report_of(&document, 4).contains("ValueError"));
        assert!(message(&document, 4).contains("ended without printing"));
    }

    #[test]
    fn a_missing_upper_bound_is_caught() {
        check("port-ranges", "no_upper_bound.py");
    }

    #[test]
    fn a_program_that_never_exits_is_caught() {
        let document = check("port-ranges", "never_exits.py");
        assert_eq!(failure_kind(&document, 5), "not_exited");
    }
}

mod inet_conversions {
    use super::*;

    #[test]
    fn answering_both_ways_is_several_answers() {
        let document = check("inet-conversions", "prints_both_ways.py");
        assert_eq!(failure_kind(&document, 1), "several_answers");
    }

    #[test]
    fn socket_module_solution_passes() {
        check("inet-conversions", "inet_conversions.py");
    }

    #[test]
    fn by_hand_solution_in_upper_case_passes() {
        check("inet-conversions", "by_hand.py");
    }

    #[test]
    fn trusting_inet_aton_lets_1_2_3_through() {
        let document = check("inet-conversions", "trusts_inet_aton.py");
        assert!(
            report_of(&document, 4).contains("01 02 00 03"),
            "{}",
            report_of(&document, 4)
        );
    }

    #[test]
    fn printing_the_bytes_object_is_caught() {
        let document = check("inet-conversions", "prints_bytes.py");
        assert!(
            report_of(&document, 1).contains("b'\\xc0\\xa8"),
            "{}",
            report_of(&document, 1)
        );
    }

    #[test]
    fn reversed_byte_order_is_caught() {
        let document = check("inet-conversions", "reversed_bytes.py");
        assert!(report_of(&document, 1).contains("02 01 a8 c0"));
    }

    #[test]
    fn a_crash_on_bad_input_is_caught() {
        let document = check("inet-conversions", "crashes_on_bad_input.py");
        assert!(report_of(&document, 4).contains("OSError"));
    }
}

mod special_addresses {
    use super::*;

    #[test]
    fn printing_every_kind_is_several_answers() {
        let document = check("special-addresses", "prints_every_kind.py");
        assert_eq!(failure_kind(&document, 1), "several_answers");
    }

    #[test]
    fn step_by_step_solution_passes() {
        check("special-addresses", "special_addresses.py");
    }

    #[test]
    fn ipaddress_module_solution_passes() {
        check("special-addresses", "with_ipaddress.py");
    }

    #[test]
    fn checking_the_last_number_first_makes_127_0_0_1_a_gateway() {
        let document = check("special-addresses", "gateway_before_loopback.py");
        assert!(message(&document, 1).contains("\"loopback\""));
    }

    #[test]
    fn looking_at_the_text_instead_of_the_number_is_caught() {
        check("special-addresses", "endswith_text.py");
    }

    #[test]
    fn no_validation_is_caught() {
        check("special-addresses", "no_validation.py");
    }
}

mod service_lookup {
    use super::*;

    #[test]
    fn printing_many_ports_is_several_answers() {
        let document = check("service-lookup", "prints_many_ports.py");
        assert_eq!(failure_kind(&document, 1), "several_answers");
    }

    #[test]
    fn getservbyname_solution_passes() {
        check("service-lookup", "service_lookup.py");
    }

    #[test]
    fn reading_the_services_file_passes() {
        check("service-lookup", "reads_services_file.py");
    }

    #[test]
    fn asking_for_tcp_only_misses_udp_services() {
        let document = check("service-lookup", "tcp_only.py");
        assert!(
            message(&document, 3).contains("\"69\""),
            "{}",
            message(&document, 3)
        );
    }

    #[test]
    fn an_unknown_name_crash_is_caught() {
        let document = check("service-lookup", "crashes_on_unknown.py");
        assert!(report_of(&document, 4).contains("OSError"));
    }

    #[test]
    fn a_hand_made_table_is_caught() {
        check("service-lookup", "own_table.py");
    }
}

mod host_info {
    use super::*;

    #[test]
    fn one_call_per_line_passes_with_the_run_s_own_host_name() {
        let document = check("host-info", "host_info.py");
        let transcript = test_json(&document, 1)["transcript"].as_str().unwrap();
        assert!(transcript.contains("netgrade-box"), "{transcript}");
    }

    #[test]
    fn gethostbyname_ex_solution_passes() {
        check("host-info", "host_info_ex.py");
    }

    #[test]
    fn the_course_notes_typo_crashes_without_dns() {
        let document = check("host-info", "localname_typo.py");
        assert_eq!(failure_kind(&document, 1), "traceback");
        assert!(message(&document, 1).contains("gaierror"));
    }

    #[test]
    fn a_hard_coded_host_name_is_caught() {
        check("host-info", "hardcoded_name.py");
    }

    #[test]
    fn printing_the_whole_tuple_is_caught() {
        let document = check("host-info", "prints_whole_tuple.py");
        assert!(report_of(&document, 4).contains("('localhost', [], ['127.0.0.1'])"));
    }
}

mod tcp_client {
    use super::*;

    #[test]
    fn course_style_client_passes() {
        check("tcp-client", "tcp_client.py");
    }

    #[test]
    fn lazy_client_connecting_to_0_0_0_0_passes() {
        check("tcp-client", "lazy_connect_any_address.py");
    }

    #[test]
    fn rust_client_passes() {
        check("tcp-client", "tcp_client.rs");
    }

    #[test]
    fn printing_bytes_is_caught() {
        let document = check("tcp-client", "prints_bytes.py");
        assert!(report_of(&document, 1).contains("b'got 5 bytes"));
    }

    #[test]
    fn printing_its_own_message_is_caught_by_replies_it_cannot_guess() {
        let document = check("tcp-client", "prints_own_message.py");
        assert_eq!(
            test_json(&document, 1)["failure"]["received"]["text"],
            "Msg>>Server: hello\nMsg>>"
        );
    }

    #[test]
    fn the_course_client_gets_full_marks_and_is_told_it_is_fragile() {
        let document = check("tcp-client", "course_client_one_recv.py");
        assert_eq!(document["score"], document["max_score"]);
        assert_eq!(test_json(&document, 6)["status"], "fragile");
        assert!(
            test_json(&document, 6)["robustness"]["why"]
                .as_str()
                .unwrap()
                .contains("byte stream"),
            "{document:#}"
        );
        assert_eq!(
            test_json(&document, 6)["failure"]["received"]["text"],
            "Msg>>Server: pong, in two \nMsg>>"
        );
    }

    #[test]
    fn a_client_that_never_closes_is_caught() {
        let document = check("tcp-client", "never_exits.py");
        assert_eq!(failure_kind(&document, 4), "not_closed");
        // The client waits for keyboard input with the connection open: no need to sit out a
        // timeout, and the message says which wait it is.
        assert_eq!(
            message(&document, 4),
            "the server expected your program to close the connection, but it is waiting for input from the keyboard (input()) with the connection open"
        );
        assert_eq!(failure_kind(&document, 5), "not_exited");
        assert!(message(&document, 5).contains("waiting for input"));
    }

    #[test]
    fn the_wrong_port_is_caught() {
        // Whether it dies before or after the first line is typed, the report says it ended
        // and shows why.
        let document = check("tcp-client", "wrong_port.py");
        let report = report_of(&document, 1);
        assert!(report.contains("ended"), "{report}");
        assert!(report.contains("ConnectionRefusedError"), "{report}");
    }
}

mod udp_server {
    use super::*;

    #[test]
    fn course_style_server_passes() {
        check("udp-server", "udp_server.py");
    }

    #[test]
    fn rust_server_passes() {
        check("udp-server", "udp_server.rs");
    }

    #[test]
    fn a_select_loop_with_a_timeout_passes() {
        check("udp-server", "udp_server_select.py");
    }

    #[test]
    fn replying_to_the_first_peer_is_named() {
        let document = check("udp-server", "replies_to_first_peer.py");
        assert_eq!(failure_kind(&document, 3), "no_datagram");
        assert!(message(&document, 3).contains("replied to the wrong address"));
    }

    #[test]
    fn the_course_server_gets_full_marks_and_is_told_its_buffer_is_fragile() {
        let document = check("udp-server", "course_server_small_buffer.py");
        assert_eq!(document["score"], document["max_score"]);
        assert_eq!(test_json(&document, 4)["status"], "fragile");
        assert_eq!(failure_kind(&document, 4), "wrong_output");
    }

    #[test]
    fn stopping_on_an_empty_datagram_is_caught() {
        check("udp-server", "stops_on_empty.py");
    }

    #[test]
    fn a_line_end_after_the_reply_is_accepted() {
        check("udp-server", "thanks_with_newline.py");
    }

    #[test]
    fn another_reply_is_a_different_datagram() {
        let document = check("udp-server", "replies_thank_you.py");
        assert_eq!(failure_kind(&document, 1), "wrong_datagram");
        assert_eq!(
            test_json(&document, 1)["failure"]["received"]["text"],
            "Thank you"
        );
    }
}

mod udp_client {
    use super::*;

    #[test]
    fn course_style_client_passes() {
        check("udp-client", "udp_client.py");
    }

    #[test]
    fn rust_client_passes() {
        check("udp-client", "udp_client.rs");
    }

    #[test]
    fn an_empty_datagram_is_named() {
        let document = check("udp-client", "sends_empty_datagram.py");
        assert_eq!(failure_kind(&document, 5), "unexpected_datagram");
        assert!(message(&document, 5).contains("empty datagram"));
    }

    #[test]
    fn printing_bytes_is_caught() {
        check("udp-client", "prints_bytes.py");
    }

    #[test]
    fn sending_the_newline_is_caught() {
        let document = check("udp-client", "sends_newline.py");
        assert_eq!(failure_kind(&document, 1), "wrong_datagram");
    }

    #[test]
    fn a_client_that_never_exits_is_caught() {
        check("udp-client", "never_exits.py");
    }
}

mod file_server {
    use super::*;

    #[test]
    fn course_style_server_reading_in_pieces_passes() {
        let document = check("file-server", "file_server.py");
        assert_eq!(document["score"], document["max_score"]);
    }

    #[test]
    fn sendfile_server_passes() {
        check("file-server", "file_server_sendfile.py");
    }

    /// One recv(1024) for the name: full marks, and test 6 (the name in two pieces) is advice.
    #[test]
    fn one_recv_for_the_name_gets_full_marks_and_is_told_it_is_fragile() {
        let document = check("file-server", "one_recv_for_name.py");
        assert_eq!(document["score"], document["max_score"]);
        assert_eq!(test_json(&document, 6)["status"], "fragile");
        assert!(
            test_json(&document, 6)["robustness"]["why"]
                .as_str()
                .unwrap()
                .contains("byte stream"),
            "{document:#}"
        );
        // It looked for a file called "hello" and said so.
        assert_eq!(
            test_json(&document, 6)["failure"]["received"]["text"],
            "ERROR\n"
        );
    }

    #[test]
    fn reading_the_binary_file_in_text_mode_crashes_on_it() {
        let document = check("file-server", "text_mode.py");
        assert_eq!(failure_kind(&document, 3), "wrong_reply");
        assert!(
            report_of(&document, 3).contains("UnicodeDecodeError"),
            "{}",
            report_of(&document, 3)
        );
    }

    #[test]
    fn one_read_sends_only_the_first_piece_of_a_large_file() {
        let document = check("file-server", "one_read.py");
        assert_eq!(failure_kind(&document, 3), "wrong_reply");
        assert_eq!(
            test_json(&document, 3)["failure"]["received"]["length"],
            1024
        );
    }

    /// Without close() the client cannot know the file is complete; the server waits in
    /// accept() with the connection open, so each test fails at once, not after a timeout.
    #[test]
    fn forgetting_to_close_leaves_the_client_waiting() {
        let document = check("file-server", "forgets_close.py");
        assert_eq!(failure_kind(&document, 1), "not_closed");
        assert!(
            message(&document, 1).contains("with the connection open"),
            "{}",
            message(&document, 1)
        );
        assert_eq!(test_json(&document, 6)["status"], "fragile");
    }

    #[test]
    fn no_loop_around_accept_refuses_the_second_client() {
        let document = check("file-server", "no_accept_loop.py");
        assert_eq!(failure_kind(&document, 4), "connect_failed");
        assert!(message(&document, 4).contains("connection refused"));
        assert_eq!(
            test_json(&document, 4)["program_end"],
            "ended by itself with exit code 0"
        );
    }

    #[test]
    fn a_name_with_its_line_end_finds_no_file() {
        let document = check("file-server", "keeps_line_end.py");
        assert_eq!(failure_kind(&document, 1), "wrong_reply");
        assert_eq!(
            test_json(&document, 1)["failure"]["received"]["text"],
            "ERROR\n"
        );
    }
}

mod file_client {
    use super::*;

    #[test]
    fn course_style_client_passes() {
        let document = check("file-client", "file_client.py");
        assert_eq!(document["score"], document["max_score"]);
        // The name comes from the command line, per test.
        assert!(
            test_json(&document, 4)["transcript"]
                .as_str()
                .unwrap()
                .contains("file_client.py notes.txt"),
            "{document:#}"
        );
    }

    #[test]
    fn streaming_client_passes() {
        check("file-client", "file_client_streaming.py");
    }

    /// The grader sends the 48 KiB file in 4 KiB pieces: one recv() gets the first, every run.
    #[test]
    fn one_recv_saves_only_the_first_piece() {
        let document = check("file-client", "one_recv.py");
        assert_eq!(
            test_json(&document, 3)["program_end"],
            "ended by itself with exit code 0"
        );
    }

    #[test]
    fn saving_with_print_in_text_mode_adds_a_line_end_and_crashes_on_binary() {
        let document = check("file-client", "text_mode_print.py");
        assert_eq!(failure_kind(&document, 2), "wrong_file");
        let received = &test_json(&document, 2)["failure"]["received"];
        assert_eq!(received["length"], 60, "{document:#}");
        assert!(
            received["text"].as_str().unwrap().ends_with("lines.\n\n"),
            "{document:#}"
        );
        assert!(
            report_of(&document, 3).contains("UnicodeDecodeError"),
            "{}",
            report_of(&document, 3)
        );
    }

    #[test]
    fn a_name_without_its_line_end_is_named() {
        let document = check("file-client", "forgets_line_end.py");
        assert_eq!(failure_kind(&document, 1), "no_reply");
        assert!(
            message(&document, 1).contains("only part of the line \"hello.txt\""),
            "{}",
            message(&document, 1)
        );
    }

    #[test]
    fn a_hard_coded_name_asks_for_the_wrong_file() {
        let document = check("file-client", "hardcoded_name.py");
        assert_eq!(failure_kind(&document, 4), "wrong_reply");
        assert_eq!(
            test_json(&document, 4)["failure"]["received"]["text"],
            "hello.txt\n"
        );
    }
}

mod chat_server {
    use super::*;

    #[test]
    fn thread_per_client_server_passes() {
        let document = check("chat-server", "chat_threads.py");
        assert_eq!(document["score"], document["max_score"]);
    }

    #[test]
    fn select_server_passes() {
        check("chat-server", "chat_select.py");
    }

    #[test]
    fn socketserver_server_passes() {
        check("chat-server", "chat_socketserver.py");
    }

    #[test]
    fn echoing_to_the_sender_is_caught() {
        let document = check("chat-server", "echoes_to_sender.py");
        assert_eq!(failure_kind(&document, 1), "unexpected_data");
        assert_eq!(
            test_json(&document, 1)["failure"]["received"]["text"],
            "hello b, this is a\n"
        );
        // With three clients, at the quiet wait on the sender.
        assert_eq!(failure_kind(&document, 3), "unexpected_data");
        assert_eq!(test_json(&document, 3)["failure"]["step"]["number"], 10);
    }

    #[test]
    fn a_chat_for_two_leaves_the_third_client_out() {
        let document = check("chat-server", "two_person_chat.py");
        assert_eq!(failure_kind(&document, 3), "no_reply");
        assert!(
            message(&document, 3).starts_with("client c expected"),
            "{}",
            message(&document, 3)
        );
    }

    /// A server that serves one client until it leaves never accepts the second: the line
    /// goes nowhere, and the wait ends as soon as the server waits for input.
    #[test]
    fn an_iterative_server_is_caught() {
        let document = check("chat-server", "iterative.py");
        assert_eq!(failure_kind(&document, 1), "no_reply");
        assert!(
            message(&document, 1).contains("your program sent nothing"),
            "{}",
            message(&document, 1)
        );
    }

    #[test]
    fn sending_to_a_client_that_left_is_caught() {
        let document = check("chat-server", "keeps_left_client.py");
        assert_eq!(failure_kind(&document, 4), "no_reply");
        assert!(
            report_of(&document, 4).contains("Bad file descriptor"),
            "{}",
            report_of(&document, 4)
        );
    }

    #[test]
    fn decoding_each_recv_fails_on_a_split_character() {
        let document = check("chat-server", "decodes_each_recv.py");
        assert!(
            report_of(&document, 6).contains("UnicodeDecodeError"),
            "{}",
            report_of(&document, 6)
        );
    }
}
