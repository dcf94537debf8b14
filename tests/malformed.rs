//! Broken and hostile input: one table row per case, with the result every input event must
//! get, in order. Each row mixes a bad event with good ones, so it checks at once the exact
//! error, that the number of results equals the number of events, and that every other event
//! is still evaluated. The inputs that fuzzing found crashing or hanging come last.

use cloudtrail_triage::kql::QueryLimits;
use cloudtrail_triage::{Engine, Limits, Rule, RuleError, Start, State};
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;

/// A raw record that the latest rule alerts on, with its own user so that every one alerts.
fn record(user: usize) -> String {
    record_with(user, "")
}

/// [`record`] with `extra` (`"key":value` pairs) added at the end.
fn record_with(user: usize, extra: &str) -> String {
    let comma = if extra.is_empty() { "" } else { "," };
    format!(
        r#"{{"eventVersion":"1.10","eventTime":"2026-11-20T09:03:40Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.10","userAgent":"aws-cli/2.22.4","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u{user}","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE{user:09}","userName":"u{user}"}}{comma}{extra}}}"#
    )
}

/// An ECS event the latest rule alerts on, with `original` as its `event.original` value.
fn ecs_with_original(user: usize, original: &str) -> String {
    format!(
        r#"{{"@timestamp":"2026-11-20T09:03:40.000Z","data_stream":{{"dataset":"aws.cloudtrail"}},"event":{{"provider":"iam.amazonaws.com","outcome":"success","original":{original}}},"source":{{"ip":"203.0.113.10"}},"aws":{{"cloudtrail":{{"user_identity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u{user}","access_key_id":"ASIAEXAMPLE{user:09}"}}}}}}}}"#
    )
}

fn lines(events: &[&str]) -> Vec<u8> {
    events
        .iter()
        .flat_map(|e| format!("{e}\n").into_bytes())
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// The first half of the gzip of `bytes`, and how many bytes it inflates to before it ends.
fn cut_gzip(bytes: &[u8]) -> (Vec<u8>, usize) {
    let compressed = gzip(bytes);
    let cut = compressed[..compressed.len() / 2].to_vec();
    let mut inflated = Vec::new();
    let _ = MultiGzDecoder::new(&cut[..]).read_to_end(&mut inflated);
    (cut, inflated.len())
}

/// `"alert"`, `"no_match"` and so on, with any caveat after ` | `; `error: …` for an event
/// that could not be read.
fn outcomes(engine: &Engine, input: &[u8]) -> Vec<String> {
    let batch = engine.run(input, Start::default(), State::default(), false);
    batch
        .results
        .iter()
        .enumerate()
        .map(|(position, result)| {
            assert_eq!(result.index, position as u64, "results come in input order");
            if let Some(error) = &result.error {
                return format!("error: {error}");
            }
            let verdict = serde_json::to_value(result.verdict.verdict).unwrap();
            let mut text = verdict.as_str().unwrap().to_owned();
            for caveat in &result.verdict.caveats {
                text.push_str(" | ");
                text.push_str(caveat);
            }
            text
        })
        .collect()
}

fn latest() -> Engine {
    Engine::new(vec![Rule::builtin("latest").unwrap()])
}

/// Runs `work` on a thread of its own and fails if it takes longer than ten seconds, so that a
/// case that once looped forever fails instead of hanging the suite.
fn within_ten_seconds<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || sender.send(work()));
    receiver
        .recv_timeout(Duration::from_secs(10))
        .expect("the case did not finish within ten seconds")
}

struct Case {
    name: &'static str,
    input: Vec<u8>,
    /// One entry per input event.
    expected: Vec<String>,
}

fn case(name: &'static str, input: impl Into<Vec<u8>>, expected: &[&str]) -> Case {
    Case {
        name,
        input: input.into(),
        expected: expected.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn check(engine: &Engine, cases: Vec<Case>) {
    for Case {
        name,
        input,
        expected,
    } in cases
    {
        let found = outcomes(engine, &input);
        assert_eq!(
            found.len(),
            expected.len(),
            "{name}: one result per input event; found {found:#?}"
        );
        for (position, (found, expected)) in found.iter().zip(&expected).enumerate() {
            assert_eq!(found, expected, "{name}: event {position}");
        }
    }
}

#[test]
fn broken_input_costs_only_the_events_it_breaks() {
    let (a, b, c) = (record(1), record(2), record(3));
    let many: Vec<String> = (1..=200).map(record).collect();
    let cut_ndjson = lines(&many.iter().map(String::as_str).collect::<Vec<_>>());
    let (cut_lines, inflated_lines) = cut_gzip(&cut_ndjson);
    let complete_lines = cut_ndjson[..inflated_lines]
        .iter()
        .filter(|&&byte| byte == b'\n')
        .count();
    let records_file = format!("{{\"Records\":[{}]}}", many.join(","));
    let (cut_records, inflated_records) = cut_gzip(records_file.as_bytes());
    let complete_records = (1..=200)
        .filter(|&n| {
            let end = records_file.find(&format!("user/u{n}\"")).unwrap();
            records_file[end..].find('}').unwrap() + end + 2 <= inflated_records
        })
        .count();
    let gzip_error = |compressed: usize, inflated: usize| {
        format!(
            "error: the gzip data is damaged or cut off: {compressed} compressed bytes gave \
             {inflated} bytes before the error (incomplete deflate stream); the events in them \
             were read"
        )
    };

    let mut cases = vec![
        case(
            "truncated JSON on a line",
            lines(&[&a, r#"{"eventVersion":"1.08","eventName":"#, &c]),
            &[
                "alert",
                r#"error: event 1 (line 2) is not valid JSON: EOF while parsing a value at line 1 column 35 (starts with "{\"eventVersion\":\"1.08\",\"eventName\":")"#,
                "alert",
            ],
        ),
        case(
            "a JSON array cut inside an element",
            format!(r#"[{a}, {b}, {{"eventVersion":"1.0"#),
            &[
                "alert",
                "alert",
                "error: the JSON array is cut off inside element 2 (line 1)",
            ],
        ),
        case(
            "a Records file cut inside a record",
            format!(r#"{{"Records":[{a},{b},{{"eventVersion":"1.0"#),
            &[
                "alert",
                "alert",
                "error: the JSON array is cut off inside element 2 (line 1)",
            ],
        ),
        case(
            "a damaged record inside a Records file",
            format!(r#"{{"Records":[{a},{{"eventVersion":"1.08",,"x":1}},{c}]}}"#),
            &[
                "alert",
                r#"error: event 1 (line 1) is not valid JSON: key must be a string at line 1 column 24 (starts with "{\"eventVersion\":\"1.08\",,\"x\":1}")"#,
                "alert",
            ],
        ),
        case(
            "two Records files on one line",
            format!(r#"{{"Records":[{a},{b}]}} {{"Records":[{c}]}}"#),
            &[
                "alert",
                "alert",
                r#"error: line 1 goes on after its "Records" array, and what follows is not read (starts with "{\"Records\":[{\"eventVersion\":\"1.10\",\"even"...)"#,
            ],
        ),
        case(
            "invalid UTF-8 on a line",
            [
                lines(&[&a]),
                b"{\"eventVersion\":\"1.08\",\"userAgent\":\"\xff\"}\n".to_vec(),
                lines(&[&c]),
            ]
            .concat(),
            &[
                "alert",
                "error: event 1 (line 2) is not valid UTF-8: byte 37 of the line starts an invalid sequence",
                "alert",
            ],
        ),
        case(
            "invalid UTF-8 inside one record of a Records file",
            [
                format!("{{\"Records\":[{a},").into_bytes(),
                b"{\"eventVersion\":\"1.08\",\"userAgent\":\"\xc3\x28\"}".to_vec(),
                format!(",{c}]}}").into_bytes(),
            ]
            .concat(),
            &[
                "alert",
                "error: event 1 (line 1) is not valid UTF-8: byte 37 of the event starts an invalid sequence",
                "alert",
            ],
        ),
        case(
            "invalid UTF-8 inside one record of a Records line among others",
            [
                lines(&[&a]),
                format!("{{\"Records\":[{b},").into_bytes(),
                b"{\"eventVersion\":\"1.08\",\"userAgent\":\"\xf0\x9f\x98\"}".to_vec(),
                format!("]}}\n{c}\n").into_bytes(),
            ]
            .concat(),
            &[
                "alert",
                "alert",
                "error: event 2 (line 2) is not valid UTF-8: byte 37 of the event starts an invalid sequence",
                "alert",
            ],
        ),
        case(
            "a byte-order mark",
            [b"\xEF\xBB\xBF".to_vec(), lines(&[&a, &b])].concat(),
            &["alert", "alert"],
        ),
        case(
            "files with byte-order marks, concatenated",
            [
                b"\xEF\xBB\xBF".to_vec(),
                lines(&[&a]),
                b"\xEF\xBB\xBF".to_vec(),
                format!("{{\"Records\":[{b},{c}]}}\n").into_bytes(),
            ]
            .concat(),
            &["alert", "alert", "alert"],
        ),
        case(
            "CRLF line ends",
            format!("{a}\r\n{b}\r\n"),
            &["alert", "alert"],
        ),
        case(
            "a pretty-printed array with CRLF line ends",
            format!("[\r\n  {a},\r\n  {b}\r\n]\r\n"),
            &["alert", "alert"],
        ),
        case(
            "blank lines",
            format!("\n\n{a}\n \t \n\r\n\n{b}\n\n"),
            &["alert", "alert"],
        ),
        case("an empty file", "", &[]),
        case("white space only", " \n\r\n\t\n", &[]),
        case("a byte-order mark only", b"\xEF\xBB\xBF".to_vec(), &[]),
        case(
            "a 10 MB event",
            lines(&[
                &a,
                &record_with(2, &format!("\"pad\":\"{}\"", "x".repeat(10 << 20))),
                &c,
            ]),
            &[
                "alert",
                "error: event 1 (line 2) is 10486128 bytes, more than the limit of 4194304 bytes",
                "alert",
            ],
        ),
        case(
            "nesting 100,000 levels deep",
            lines(&[
                &a,
                &record_with(
                    2,
                    &format!(
                        "\"requestParameters\":{}{}",
                        "[".repeat(100_000),
                        "]".repeat(100_000)
                    ),
                ),
                &c,
            ]),
            &[
                "alert",
                "error: event 1 (line 2) nests 100001 levels deep, more than the limit of 64",
                "alert",
            ],
        ),
        case(
            "an array nesting 100,000 levels deep",
            format!("[{a},{}{}]", "[".repeat(100_000), "]".repeat(100_000)),
            &[
                "alert",
                "error: event 1 (line 1) nests 100000 levels deep, more than the limit of 64",
            ],
        ),
        case(
            "numbers past 2^64",
            lines(&[&record_with(
                1,
                r#""requestParameters":{"n":123456789012345678901234567890,"f":1e400,"neg":-99999999999999999999}"#,
            )]),
            &["alert"],
        ),
        case(
            "duplicate keys: the last one counts, as in JSON.parse",
            lines(&[
                &record_with(
                    1,
                    r#""sessionCredentialFromConsole":"false","sessionCredentialFromConsole":"true""#,
                ),
                &record_with(
                    2,
                    r#""sessionCredentialFromConsole":"true","sessionCredentialFromConsole":"false""#,
                ),
            ]),
            &["no_match", "alert"],
        ),
        case(
            "event.original is not a string",
            lines(&[&ecs_with_original(1, "42"), &b]),
            &[
                "alert | console status is unknown (event.original is a number, not a string), so aws.cloudtrail.session_credential_from_console could not be recovered from the raw record",
                "alert",
            ],
        ),
        case(
            "event.original is not JSON",
            lines(&[
                &ecs_with_original(1, r#""{\"sessionCredentialFromConsole\":\"tr""#),
                &b,
            ]),
            &[
                "alert | console status is unknown (event.original is not valid JSON: EOF while parsing a string at line 1 column 35), so aws.cloudtrail.session_credential_from_console could not be recovered from the raw record",
                "alert",
            ],
        ),
        case(
            "event.original is JSON but not an object",
            lines(&[
                &ecs_with_original(1, r#""[\"sessionCredentialFromConsole\"]""#),
                &b,
            ]),
            &[
                "alert | console status is unknown (event.original holds an array, not a JSON object), so aws.cloudtrail.session_credential_from_console could not be recovered from the raw record",
                "alert",
            ],
        ),
        case(
            "event.original nests deeper than JSON readers go",
            lines(&[
                &ecs_with_original(
                    1,
                    &format!(
                        r#""{{\"sessionCredentialFromConsole\":\"true\",\"a\":{}1{}}}""#,
                        "[".repeat(200),
                        "]".repeat(200)
                    ),
                ),
                &b,
            ]),
            &[
                "alert | console status is unknown (event.original is not valid JSON: recursion limit exceeded at line 1 column 170), so aws.cloudtrail.session_credential_from_console could not be recovered from the raw record",
                "alert",
            ],
        ),
        case(
            "a Records file whose Records is not an array",
            r#"{"Records": {"eventVersion": "1.08"}}"#,
            &[r#"error: the file's "Records" holds an object, not an array of CloudTrail records"#],
        ),
        case(
            "a Records line whose Records is not an array, among records",
            lines(&[r#"{"Records": 5}"#, &b]),
            &[
                r#"error: the file's "Records" holds a number, not an array of CloudTrail records"#,
                "alert",
            ],
        ),
        case(
            "a digest file",
            lines(&[
                r#"{"awsAccountId":"111122223333","digestStartTime":"2026-11-20T08:00:00Z","digestEndTime":"2026-11-20T09:00:00Z","digestS3Bucket":"b","digestS3Object":"o","logFiles":[]}"#,
                &b,
            ]),
            &[
                "error: event 0 (line 1) is a CloudTrail digest file, which lists log files and holds no API call",
                "alert",
            ],
        ),
        case(
            "values that are not objects",
            format!("[1, \"text\", null, {a}]"),
            &[
                "error: event 0 (line 1) is a number, not a JSON object",
                "error: event 1 (line 1) is a string, not a JSON object",
                "error: event 2 (line 1) is null, not a JSON object",
                "alert",
            ],
        ),
    ];

    let mut cut_lines_expected = vec!["alert".to_owned(); complete_lines];
    cut_lines_expected.push(gzip_error(cut_lines.len(), inflated_lines));
    cases.push(Case {
        name: "a truncated gzip of lines",
        input: cut_lines,
        expected: cut_lines_expected,
    });
    let mut cut_records_expected = vec!["alert".to_owned(); complete_records];
    cut_records_expected.push(gzip_error(cut_records.len(), inflated_records));
    cases.push(Case {
        name: "a truncated gzip of a Records file",
        input: cut_records,
        expected: cut_records_expected,
    });
    assert!(
        complete_lines > 0 && complete_records > 0,
        "the cuts keep some events: {complete_lines} lines of {inflated_lines} bytes, \
         {complete_records} records of {inflated_records} bytes"
    );

    check(&latest(), cases);
}

#[test]
fn numbers_past_2_64_survive_in_the_written_event() {
    let record = record_with(
        1,
        r#""requestParameters":{"n":123456789012345678901234567890,"neg":-99999999999999999999,"f":0.1000000000000000055511151231257827,"e":1E400}"#,
    );
    let batch = latest().run(record.as_bytes(), Start::default(), State::default(), true);
    let written = serde_json::to_string(&batch.results).unwrap();

    // Every digit is kept; only an exponent is respelled, as serde_json writes it.
    let flattened = r#""request_parameters":{"n":123456789012345678901234567890,"neg":-99999999999999999999,"f":0.1000000000000000055511151231257827,"e":1e+400}"#;
    assert!(written.contains(flattened), "{written}");
    let original = serde_json::to_string(&record).unwrap();
    assert!(
        written.contains(&original),
        "event.original keeps the record's text"
    );
}

#[test]
fn the_limits_can_be_raised_and_lowered() {
    let (a, c) = (record(1), record(3));
    let big = record_with(2, &format!("\"pad\":\"{}\"", "x".repeat(10 << 20)));
    let deep = record_with(
        2,
        &format!(
            "\"requestParameters\":{}1{}",
            "[".repeat(100),
            "]".repeat(100)
        ),
    );
    let raised = latest().with_limits(Limits {
        max_event_bytes: 16 << 20,
        max_depth: 120,
        ..Limits::default()
    });
    check(
        &raised,
        vec![
            case(
                "a 10 MB event under a 16 MB limit",
                lines(&[&a, &big, &c]),
                &["alert"; 3],
            ),
            case(
                "100 levels under a limit of 120",
                lines(&[&a, &deep, &c]),
                &["alert"; 3],
            ),
        ],
    );

    // serde_json reads 127 levels at most, so a higher limit says so rather than promise more.
    let deeper = record_with(
        2,
        &format!(
            "\"requestParameters\":{}1{}",
            "[".repeat(200),
            "]".repeat(200)
        ),
    );
    check(
        &latest().with_limits(Limits {
            max_depth: 1000,
            ..Limits::default()
        }),
        vec![case(
            "200 levels under a limit of 1000",
            lines(&[&a, &deeper, &c]),
            &[
                "alert",
                "error: event 1 (line 2) nests 201 levels deep, more than the limit of 127",
                "alert",
            ],
        )],
    );

    let lowered = latest().with_limits(Limits {
        max_input_bytes: 4096,
        max_event_bytes: 1024,
        max_depth: 2,
    });
    let many: Vec<String> = (1..=20).map(record).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let big_gzip = gzip(&lines(&many));
    check(
        &lowered,
        vec![
            case(
                "events past a lowered size limit",
                lines(&[
                    &a,
                    &record_with(2, &format!("\"pad\":\"{}\"", "x".repeat(800))),
                ]),
                &[
                    "alert",
                    "error: event 1 (line 2) is 1168 bytes, more than the limit of 1024 bytes",
                ],
            ),
            case(
                "a gzip that inflates past a lowered input limit",
                big_gzip,
                &[
                    &["alert"; 11][..],
                    &["error: the gzip data inflates to more than the limit of 4096 bytes"],
                ]
                .concat(),
            ),
        ],
    );
}

#[test]
fn queries_past_the_limits_are_refused_with_their_position() {
    let deep_parens = format!("{}a: b{}", "(".repeat(100_000), ")".repeat(100_000));
    let deep_not = format!("{}a: b{}", "not (".repeat(100_000), ")".repeat(100_000));
    let deep_values = format!("a: {}b{}", "(".repeat(100_000), ")".repeat(100_000));
    let deep_nested = format!("{}b: c{}", "a: {".repeat(100_000), "}".repeat(100_000));
    let long = format!("a: {}", "b".repeat(70_000));
    let deep = "the query nests deeper than the limit of 64 levels";
    let long_enough = QueryLimits {
        max_length: 1 << 20,
        ..QueryLimits::default()
    };
    let cases = [
        (
            &deep_parens,
            QueryLimits::default(),
            "the query is 200004 bytes long, more than the limit of 65536",
            1,
        ),
        (&deep_parens, long_enough, deep, 65),
        (&deep_not, long_enough, deep, 161),
        (&deep_values, long_enough, deep, 68),
        (&deep_nested, long_enough, deep, 260),
        (
            &long,
            QueryLimits::default(),
            "the query is 70003 bytes long, more than the limit of 65536",
            1,
        ),
    ];
    for (query, limits, message, column) in cases {
        let error = within_ten_seconds({
            let query = query.clone();
            move || Rule::from_query(&query, limits).unwrap_err()
        });
        let RuleError::Query(error) = error else {
            panic!("not a query error: {error:?}");
        };
        assert_eq!(
            (error.message.as_str(), error.line, error.column),
            (message, 1, column)
        );

        let toml = format!("[rule]\nquery = '''{query}'''\n");
        let from_toml = Rule::from_toml(&toml, "deep", limits).unwrap_err();
        assert_eq!(from_toml, RuleError::Query(error));
    }

    let roomy = QueryLimits {
        max_length: 1 << 20,
        max_depth: 90,
    };
    let nested = format!("{}a: b{}", "(".repeat(80), ")".repeat(80));
    assert!(Rule::from_query(&nested, roomy).is_ok());
    assert!(Rule::from_query(&long, roomy).is_ok());
}

/// Inputs the fuzz targets found hanging or crashing, each with the results it must give now.
#[test]
fn inputs_fuzzing_found() {
    let b = record(2);
    let cases = vec![
        // The array splitter stood still on a ',' or '}' where a value should start, and
        // pushed empty events until memory ran out.
        case(
            "an array opening on a comma",
            format!("[,{b}]"),
            &[
                r#"error: event 0 (line 1) is not valid JSON: expected value at line 1 column 1 (starts with ",")"#,
                "alert",
            ],
        ),
        case(
            "a stray brace in an array",
            format!("[{b},}}]"),
            &[
                "alert",
                r#"error: event 1 (line 1) is not valid JSON: expected value at line 1 column 1 (starts with "}")"#,
            ],
        ),
        case(
            "an array of a lone brace",
            "[}",
            &["error: the JSON array is cut off inside element 0 (line 1)"],
        ),
    ];
    within_ten_seconds(move || check(&latest(), cases));
}

#[test]
fn rules_nesting_past_the_limit_are_refused_before_they_are_read() {
    let n = 100_000;
    let dots = vec!["a"; n].join(".");
    let rule = "[rule]\nquery = \"a: b\"\n";
    let cases = [
        (format!("x = {}{}\n{rule}", "[".repeat(n), "]".repeat(n)), n),
        (
            format!("x = {}1{}\n{rule}", "{a=".repeat(n), "}".repeat(n)),
            n,
        ),
        (format!("[{dots}]\n{rule}"), n),
        (format!("{dots} = 1\n{rule}"), n - 1),
        (format!("x = [[[{{a.b = 1}}]]]\n[[{dots}]]\n"), n + 1),
    ];
    for (toml, depth) in cases {
        let error = within_ten_seconds(move || {
            Rule::from_toml(&toml, "deep", QueryLimits::default()).unwrap_err()
        });
        assert_eq!(error, RuleError::TooDeep(depth));
        assert_eq!(
            error.to_string(),
            format!(
                "the rule's TOML nests arrays, inline tables and dotted keys {depth} levels deep, \
                 more than the limit of 32"
            )
        );
    }

    // Brackets and dots inside strings and comments are not nesting.
    let shallow = format!(
        "# [[[[ {}\n[metadata]\nupdated_date = \"2026/04/10\"\n\n[rule]\nname = \"{}\"\n\
         query = '''\n{}a: b.c{}\n'''\nnote = \"\"\"\n\\\"\"\" {} \"\"\"\n\
         [rule.new_terms]\nvalue = ['x.y.z']\n[[rule.new_terms.history_window_start]]\n\
         value = \"now-7d\"\ntype = \"new_terms\"\n",
        "[".repeat(100),
        "{".repeat(100),
        "(".repeat(60),
        ")".repeat(60),
        "[".repeat(100),
    );
    let loaded = Rule::from_toml(&shallow, "shallow", QueryLimits::default());
    assert!(loaded.is_ok(), "{loaded:?}");
}

/// WebAssembly gives the core a stack of 1 MiB. The deepest query any limit lets through is
/// read and evaluated on one that small even in a debug build, whose frames are the largest.
#[test]
fn the_deepest_query_any_limit_allows_runs_on_a_small_stack() {
    let unlimited = QueryLimits {
        max_length: usize::MAX,
        max_depth: usize::MAX,
    };
    let n = 96;
    let queries = [
        format!("{}a: b{}", "(".repeat(n), ")".repeat(n)),
        format!("{}a: b{}", "not (".repeat(n / 2), ")".repeat(n / 2)),
        format!("a: {}b{}", "(".repeat(n), ")".repeat(n)),
        format!("a: {}b{}", "(not ".repeat(n / 2), ")".repeat(n / 2)),
        format!("{}b: c{}", "a: {".repeat(n), "}".repeat(n)),
    ];
    for query in queries {
        let deeper = format!("({query})");
        let ran = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let rule = Rule::from_query(&query, unlimited).unwrap();
                let event = r#"{"@timestamp":"2026-01-01T00:00:00Z","a":{"b":"c"}}"#;
                let batch = Engine::new(vec![rule]).run(
                    event.as_bytes(),
                    Start::default(),
                    State::default(),
                    true,
                );
                batch.results.len()
            })
            .unwrap()
            .join();
        assert_eq!(ran.ok(), Some(1));

        let error = Rule::from_query(&deeper, unlimited).unwrap_err();
        let RuleError::Query(error) = error else {
            panic!("not a query error: {error:?}");
        };
        assert_eq!(
            error.message,
            "the query nests deeper than the limit of 96 levels"
        );
    }
}

/// The same for the deepest event any limit lets through, as a raw record and as an ECS event,
/// under every built-in rule and a free-text query that walks the whole event.
#[test]
fn the_deepest_event_any_limit_allows_runs_on_a_small_stack() {
    // 127 levels each, counting the event's own braces.
    let deep = |levels: usize, open: &str, close: &str| {
        format!("{}1{}", open.repeat(levels), close.repeat(levels))
    };
    let input = lines(&[
        &record_with(1, &format!("\"requestParameters\":{}", deep(126, "[", "]"))),
        &record_with(
            2,
            &format!("\"responseElements\":{}", deep(126, "{\"a\":", "}")),
        ),
        &ecs_with_original(3, &deep(125, "{\"a\":", "}")),
    ]);
    let ran = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let mut rules = Rule::builtins();
            rules.push(Rule::from_query("nothing_like_this", QueryLimits::default()).unwrap());
            let engine = Engine::new(rules).with_limits(Limits {
                max_depth: usize::MAX,
                ..Limits::default()
            });
            let batch = engine.run(&input, Start::default(), State::default(), true);
            let written = serde_json::to_string(&batch.results).unwrap();
            let errors: Vec<_> = batch
                .results
                .iter()
                .filter_map(|r| r.error.clone())
                .collect();
            (batch.results.len(), errors, written.len())
        })
        .unwrap()
        .join()
        .ok();
    assert!(
        matches!(&ran, Some((3, errors, _)) if errors.is_empty()),
        "{ran:?}"
    );
}

/// The inputs libFuzzer saved as crashing or hanging, replayed through the whole road: each
/// must finish within the time limit, with one result per event and the error it names.
/// Both are damaged gzip files of a JSON array; `fuzz/artifacts/` held them as
/// `input/oom-4f08403d…` (behind the mode byte the input target reads first) and
/// `engine/timeout-96ab60d0…`.
#[test]
fn gzip_files_fuzzing_saved() {
    struct Saved {
        file: &'static str,
        results: usize,
        first: &'static str,
        last: &'static str,
    }
    let saved = [
        Saved {
            file: "input-oom-corrupt-gzip-array.bin",
            results: 53,
            first: r#"error: event 0 (line 2) is not valid JSON: expected ident at line 27 column 19"#,
            last: "error: the gzip data is damaged or cut off: 1113 compressed bytes gave 5258 bytes \
                   before the error (corrupt gzip stream does not have a matching checksum); the \
                   events in them were read",
        },
        Saved {
            file: "engine-timeout-gzip-repeated-strings.bin",
            results: 6,
            first: r#"error: event 0 (line 2) is not valid JSON: expected `,` or `}` at line 4 column 20"#,
            last: "error: the gzip data is damaged or cut off: 578 compressed bytes gave 9284 bytes \
                   before the error (incomplete deflate stream); the events in them were read",
        },
    ];
    for Saved {
        file,
        results,
        first,
        last,
    } in saved
    {
        let path = format!("{}/tests/fixtures/fuzz/{file}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap();
        let found = within_ten_seconds(move || outcomes(&latest(), &bytes));
        assert_eq!(found.len(), results, "{file}: {found:#?}");
        assert!(found[0].starts_with(first), "{file}: {}", found[0]);
        assert_eq!(found[results - 1], last, "{file}");
        assert!(
            found.iter().all(|outcome| outcome.starts_with("error: ")),
            "{file}: nothing in it is a whole event"
        );
    }
}
