//! One line per case: the query, the document, whether it matches.

use super::*;
use serde_json::json;

fn matches(query: &str, doc: &Value) -> bool {
    match Query::parse(query) {
        Ok(query) => query.matches(doc, &Schema::cloudtrail()),
        Err(error) => panic!("{query:?} does not parse: {error}"),
    }
}

fn parse_error(query: &str) -> String {
    match Query::parse(query) {
        Ok(parsed) => panic!("{query:?} parsed as {:?}", parsed.root()),
        Err(error) => error.message,
    }
}

#[test]
fn keyword_values_compare_exactly() {
    let doc = json!({
        "event": {"provider": "iam.amazonaws.com", "outcome": "success"},
        "user_agent": {"original": "AWS Internal"},
        "aws": {"cloudtrail": {"user_identity": {"access_key_id": "ASIAEXAMPLE", "type": "IAMUser"}}},
        "count": 5,
        "flag": true
    });
    let cases = [
        (r#"event.provider: "iam.amazonaws.com""#, true),
        ("event.provider: iam.amazonaws.com", true),
        (r#"event.provider: ("iam.amazonaws.com")"#, true),
        ("event.provider: IAM.amazonaws.com", false),
        ("event.provider: iam", false),
        (r#"user_agent.original : "AWS Internal""#, true),
        ("user_agent.original: AWS Internal", true),
        (r#"user_agent.original: "aws internal""#, false),
        ("user_agent.original: AWS", false),
        ("aws.cloudtrail.user_identity.access_key_id: ASIA*", true),
        ("aws.cloudtrail.user_identity.access_key_id: asia*", false),
        ("aws.cloudtrail.user_identity.access_key_id: *EXAMPLE", true),
        ("aws.cloudtrail.user_identity.access_key_id: A*I*E", true),
        ("aws.cloudtrail.user_identity.access_key_id: SIA*", false),
        (
            r#"aws.cloudtrail.user_identity.access_key_id: "ASIA*""#,
            false,
        ),
        (r"aws.cloudtrail.user_identity.access_key_id: ASIA\*", false),
        ("count: 5", true),
        ("count: 6", false),
        ("flag: true", true),
        ("flag: false", false),
        ("missing: x", false),
        ("not missing: x", true),
        ("event.outcome: (failure or success)", true),
        ("event.outcome: (failure and success)", false),
        ("event.outcome: (not failure)", true),
        ("event.outcome: (success and not failure)", true),
        ("event.outcome: (failure or not success)", false),
    ];
    for (query, expected) in cases {
        assert_eq!(matches(query, &doc), expected, "{query}");
    }
}

#[test]
fn boolean_operators_follow_kql_precedence_in_any_case() {
    let doc = json!({"a": "1", "b": "2"});
    let cases = [
        ("a: 1 and b: 2", true),
        ("a: 1 AND b: 3", false),
        ("a: 0 or b: 2", true),
        ("a: 0 Or b: 3", false),
        ("a: 0 or a: 1 and b: 3", false),
        ("a: 1 or a: 0 and b: 3", true),
        ("(a: 1 or a: 0) and b: 3", false),
        ("not a: 0 and b: 2", true),
        ("NOT a: 1 or b: 2", true),
        ("not (a: 1 or b: 0)", false),
        ("not (not a: 1)", true),
        ("", true),
        ("   ", true),
    ];
    for (query, expected) in cases {
        assert_eq!(matches(query, &doc), expected, "{query}");
    }
}

#[test]
fn exists_counts_any_value_but_null() {
    let doc =
        json!({"empty": "", "null": null, "none": [], "zero": 0, "obj": {"x": 1}, "nulls": [null]});
    let cases = [
        ("empty: *", true),
        ("null: *", false),
        ("none: *", false),
        ("zero: *", true),
        ("obj: *", true),
        ("nulls: *", false),
        ("absent: *", false),
        ("not absent: *", true),
    ];
    for (query, expected) in cases {
        assert_eq!(matches(query, &doc), expected, "{query}");
    }
}

#[test]
fn nested_flat_and_array_documents_are_read_alike() {
    let cases = [
        json!({"source": {"ip": "10.1.2.3"}}),
        json!({"source.ip": "10.1.2.3"}),
        json!({"source": [{"ip": "192.168.0.1"}, {"ip": "10.1.2.3"}]}),
        json!({"source": {"ip": ["192.168.0.1", "10.1.2.3"]}}),
    ];
    for doc in cases {
        assert!(matches("source.ip: 10.0.0.0/8", &doc), "{doc}");
        assert!(matches("source.ip: *", &doc), "{doc}");
    }
}

#[test]
fn ip_fields_take_addresses_and_cidr_blocks() {
    let doc = json!({"source": {"ip": "2001:db8::1"}, "related": {"ip": ["10.0.0.5", "::ffff:192.0.2.1"]}});
    let cases = [
        (r#"source.ip: "2001:db8::1""#, true),
        (r#"source.ip: "2001:db8::/32""#, true),
        (r#"source.ip: "2001:db9::/32""#, false),
        ("related.ip: 10.0.0.5", true),
        ("related.ip: 10.0.0.0/24", true),
        ("related.ip: 10.0.1.0/24", false),
        ("related.ip: 192.0.2.1", true),
        ("related.ip: 0.0.0.0/0", true),
        ("related.ip: not-an-ip", false),
        ("related.ip > 10.0.0.4", true),
        ("related.ip < 10.0.0.5", false),
    ];
    for (query, expected) in cases {
        assert_eq!(matches(query, &doc), expected, "{query}");
    }
    assert!(!matches(
        "source.ip: *",
        &json!({"source": {"ip": "AWS Internal"}})
    ));
    assert!(!matches(
        "source.ip: *",
        &json!({"source": {"ip": "075.050.255.67"}})
    ));
}

#[test]
fn ranges_compare_by_type() {
    let doc = json!({
        "@timestamp": "2025-04-24T10:00:00Z",
        "source": {"port": "443"},
        "name": "m",
        "aws": {"cloudtrail": {"read_only": false}}
    });
    let cases = [
        ("source.port > 100", true),
        ("source.port >= 443", true),
        ("source.port < 443", false),
        ("source.port <= 443.0", true),
        ("@timestamp > 2025-04-24", true),
        ("@timestamp < \"2025-04-24T09:59:59Z\"", false),
        (r#"@timestamp >= "2025-04-24T10:00:00Z""#, true),
        ("@timestamp: \"2025-04-24T12:00:00+02:00\"", true),
        ("name > l", true),
        ("name > n", false),
        ("aws.cloudtrail.read_only: false", true),
        ("aws.cloudtrail.read_only < true", true),
    ];
    for (query, expected) in cases {
        assert_eq!(matches(query, &doc), expected, "{query}");
    }
}

#[test]
fn constant_keyword_fields_hold_their_value_when_the_source_lacks_them() {
    let without = json!({"event": {"provider": "iam.amazonaws.com"}});
    let other = json!({"data_stream": {"dataset": "aws.guardduty"}});
    assert!(matches("data_stream.dataset: aws.cloudtrail", &without));
    assert!(matches("event.dataset: aws.cloudtrail", &without));
    assert!(matches("data_stream.dataset: aws.*", &without));
    assert!(!matches("data_stream.dataset: aws.guardduty", &without));
    assert!(!matches("data_stream.dataset: aws.cloudtrail", &other));

    let query = Query::parse("data_stream.dataset: aws.cloudtrail").unwrap();
    let explanation = query.explain(&without, &Schema::cloudtrail());
    let notes = &explanation.clauses[0].notes;
    assert!(
        notes[0].starts_with("data_stream.dataset is missing from the event"),
        "{notes:?}"
    );
}

#[test]
fn keyword_true_matches_the_string_the_enricher_writes() {
    let console = json!({"aws": {"cloudtrail": {"session_credential_from_console": "true"}}});
    let query = "not aws.cloudtrail.session_credential_from_console: true";
    assert!(!matches(query, &console));
    assert!(matches(query, &json!({})));
    assert!(matches(
        query,
        &json!({"aws.cloudtrail.session_credential_from_console": "false"})
    ));
}

#[test]
fn text_fields_match_words_and_phrases() {
    let doc =
        json!({"message": "The Quick brown fox", "user_agent": {"original": "aws-cli/2.0 Python"}});
    let cases = [
        ("message: quick", true),
        ("message: QUICK fox", true),
        ("message: slow", false),
        (r#"message: "quick brown""#, true),
        (r#"message: "brown quick""#, false),
        ("message: qu*", true),
        ("user_agent.original.text: python", false), // a multi-field is not in the source
    ];
    for (query, expected) in cases {
        assert_eq!(matches(query, &doc), expected, "{query}");
    }
}

#[test]
fn nested_queries_need_one_element_to_match_all() {
    let doc = json!({"tags": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]});
    assert!(matches("tags: { key: a and value: 1 }", &doc));
    assert!(!matches("tags: { key: a and value: 2 }", &doc));
    assert!(matches("tags.key: a and tags.value: 2", &doc));
}

#[test]
fn free_text_and_wildcard_field_names_look_everywhere() {
    let doc = json!({"event": {"action": "CreateUser"}, "user": {"name": "alice"}});
    let cases = [
        ("CreateUser", true),
        ("alice", true),
        ("bob", false),
        ("Create*", true),
        (r#""alice""#, true),
        ("user.*: alice", true),
        ("*.action: CreateUser", true),
        ("user.*: CreateUser", false),
    ];
    for (query, expected) in cases {
        assert_eq!(matches(query, &doc), expected, "{query}");
    }
}

#[test]
fn literals_are_read_as_kibana_reads_them() {
    let cases: [(&str, &str, bool, bool); 12] = [
        ("f: b and", "b and", false, false),
        ("f: hello world", "hello world", false, false),
        ("f:   padded   ", "padded", false, false),
        (
            r#"f: "a \"quoted\" \\ value""#,
            r#"a "quoted" \ value"#,
            true,
            false,
        ),
        (r#"f: "tab\there""#, "tab\there", true, false),
        (r#"f: "\u0041BC""#, "ABC", true, false),
        (r"f: \u0041BC", "ABC", false, false),
        (r"f: a\:b\(c\)", "a:b(c)", false, false),
        (r"f: rock \and roll", "rock and roll", false, false),
        ("f: rock&roll", "rock&roll", false, false),
        ("f: ASIA*", "ASIA*", false, true),
        (r#"f: "ASIA*""#, "ASIA*", true, false),
    ];
    for (query, text, quoted, wildcard) in cases {
        let parsed = Query::parse(query).unwrap();
        let NodeKind::Field {
            values: ValueList::Value(literal),
            ..
        } = &parsed.root().kind
        else {
            panic!("{query} is not a field query: {:?}", parsed.root());
        };
        assert_eq!(literal.text, text, "{query}");
        assert_eq!(literal.quoted, quoted, "{query}");
        assert_eq!(literal.pattern.is_some(), wildcard, "{query}");
    }
}

#[test]
fn the_rule_query_splits_into_its_clauses() {
    let query = Query::parse(
        "data_stream.dataset: aws.cloudtrail\n    and event.provider: (\"iam.amazonaws.com\")\n    \
         and not user_agent.original : \"AWS Internal\"",
    )
    .unwrap();
    let doc = json!({"event": {"provider": "iam.amazonaws.com"}, "user_agent": {"original": "AWS Internal"}});
    let explanation = query.explain(&doc, &Schema::cloudtrail());
    let clauses: Vec<(&str, bool)> = explanation
        .clauses
        .iter()
        .map(|c| (c.clause.as_str(), c.pass))
        .collect();
    assert_eq!(
        clauses,
        [
            ("data_stream.dataset: aws.cloudtrail", true),
            ("event.provider: (\"iam.amazonaws.com\")", true),
            ("not user_agent.original : \"AWS Internal\"", false),
        ]
    );
    assert!(!explanation.matched);
    assert_eq!(
        explanation.clauses[2].fields[0].values,
        [json!("AWS Internal")]
    );
    assert_eq!(
        query.fields(),
        [
            "data_stream.dataset",
            "event.provider",
            "user_agent.original"
        ]
    );
}

#[test]
fn invalid_queries_say_what_was_expected_and_where() {
    let cases = [
        (
            "event.provider:",
            "expected a value after ':' but found the end of the query",
        ),
        (
            "event.provider: (iam",
            "expected ')' to close the '(' at line 1, column 17 but found the end of the query",
        ),
        (
            "(a: b",
            "expected ')' to close the '(' at line 1, column 1 but found the end of the query",
        ),
        (
            "a: b)",
            "expected 'and', 'or' or the end of the query but found ')'",
        ),
        (
            "a: b c: d",
            "expected 'and', 'or' or the end of the query but found ':'",
        ),
        (
            r#"a: "b" c"#,
            "expected 'and', 'or' or the end of the query but found 'c'",
        ),
        (r#"a: "open"#, "the quoted string is never closed"),
        (":b", "expected a field name, a value or '(' but found ':'"),
        (
            "a: ()",
            "expected a value inside the parentheses but found ')'",
        ),
        (
            "()",
            "expected a query inside the parentheses but found ')'",
        ),
        (
            "a: b and ()",
            "expected a query inside the parentheses but found ')'",
        ),
        (
            "a >",
            "expected a value after '>' but found the end of the query",
        ),
        (
            "a <= ",
            "expected a value after '<=' but found the end of the query",
        ),
        (
            "a: {b: c",
            "expected '}' to close the '{' at line 1, column 4 but found the end of the query",
        ),
        ("a: {}", "expected a query inside the braces but found '}'"),
        (
            r"a: b\x",
            r#"'\x' is not an escape; escape only \ ( ) : < > " * { } and keywords"#,
        ),
        ("a: b\\", "the query ends with a lone '\\'"),
        (
            r"a: \u00zz",
            r"'\u' must be followed by four hexadecimal digits",
        ),
        (
            "not not a: 1",
            "expected a field name, a value or '(' but found 'n'",
        ),
        (
            "source.ip: 2001:db8::1",
            "expected 'and', 'or' or the end of the query but found ':'",
        ),
        (
            "@timestamp >= 2025-04-24T10:00:00Z",
            "expected 'and', 'or' or the end of the query but found ':'",
        ),
        (
            "a: (b or c",
            "expected ')' to close the '(' at line 1, column 4 but found the end of the query",
        ),
        (
            "a: b or )",
            "expected a field name, a value or '(' but found ')'",
        ),
        (
            "not )",
            "expected a field name, a value or '(' but found ')'",
        ),
        (
            "a: cannot match",
            "expected 'and', 'or' or the end of the query but found 'n'",
        ),
        ("a: >", "expected a value after ':' but found '>'"),
        (
            "a: b }",
            "expected 'and', 'or' or the end of the query but found '}'",
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(parse_error(query), expected, "{query}");
    }
}

#[test]
fn errors_show_the_line_and_a_caret_under_the_spot() {
    let error = Query::parse("a: b\n  and c: (d").unwrap_err();
    assert_eq!((error.line, error.column, error.offset), (2, 12, 16));
    assert_eq!(
        error.to_string(),
        "expected ')' to close the '(' at line 2, column 10 but found the end of the query \
         at line 2, column 12\n    and c: (d\n             ^"
    );
}

#[test]
fn limits_refuse_long_and_deep_queries_without_overflowing() {
    let deep = format!("{}a: b{}", "(".repeat(100_000), ")".repeat(100_000));
    let unlimited_length = QueryLimits {
        max_length: usize::MAX,
        ..QueryLimits::default()
    };
    let error = Query::parse_with_limits(&deep, unlimited_length).unwrap_err();
    assert_eq!(
        error.message,
        "the query nests deeper than the limit of 64 levels"
    );
    assert_eq!(error.column, 65);

    let error = Query::parse(&deep).unwrap_err();
    assert_eq!(
        error.message,
        "the query is 200004 bytes long, more than the limit of 65536"
    );

    let nots = "not (".repeat(1000) + "a: b" + &")".repeat(1000);
    assert!(
        Query::parse(&nots)
            .unwrap_err()
            .message
            .contains("deeper than the limit")
    );

    let long = "a: b or ".repeat(10_000) + "a: b";
    let limits = QueryLimits {
        max_length: 1000,
        max_depth: 8,
    };
    let error = Query::parse_with_limits(&long, limits).unwrap_err();
    assert_eq!(
        error.message,
        "the query is 80004 bytes long, more than the limit of 1000"
    );

    let wide = "a: b or ".repeat(5_000) + "a: c";
    assert!(matches(&wide, &json!({"a": "c"})));
}
