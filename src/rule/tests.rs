use super::*;

/// A detection-rules file of our own, shaped like the ones Elastic publishes.
const NEW_TERMS_TOML: &str = r#"
[metadata]
creation_date = "2026/01/02"
updated_date = "2026/03/04"

[rule]
name = "Tuned IAM calls"
rule_id = "00000000-1111-2222-3333-444444444444"
language = "kuery"
type = "new_terms"
timestamp_override = "event.ingested"
query = '''
event.provider: "iam.amazonaws.com" and aws.cloudtrail.user_identity.access_key_id: ASIA*
'''

[rule.investigation_fields]
field_names = ["source.ip", "user_agent.original"]

[rule.new_terms]
field = "new_terms_fields"
value = ["aws.cloudtrail.user_identity.arn"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-10d"
"#;

fn load(text: &str) -> Result<Rule, RuleError> {
    Rule::from_toml(text, "tuned", QueryLimits::default())
}

#[test]
fn a_new_terms_rule_loads_every_field_it_needs() {
    let rule = load(NEW_TERMS_TOML).unwrap();
    assert_eq!(rule.name, "tuned");
    assert_eq!(rule.title, "Tuned IAM calls");
    assert_eq!(
        rule.rule_id.as_deref(),
        Some("00000000-1111-2222-3333-444444444444")
    );
    assert_eq!(rule.date.as_deref(), Some("2026-03-04"));
    assert_eq!(rule.timestamp_override.as_deref(), Some("event.ingested"));
    assert_eq!(
        rule.investigation_fields,
        ["source.ip", "user_agent.original"]
    );
    assert_eq!(
        rule.kind,
        RuleKind::NewTerms {
            fields: vec![NEW_TERMS_FIELD.to_owned()],
            window: 10 * DAY
        }
    );
    assert_eq!(
        rule.query.fields(),
        [
            "event.provider",
            "aws.cloudtrail.user_identity.access_key_id"
        ]
    );
}

#[test]
fn bad_rules_say_what_is_wrong() {
    let cases = [
        ("not toml = = 1", "the rule is not valid TOML: "),
        ("[metadata]\nx = 1", "the rule has no [rule] table"),
        ("[rule]\nname = \"x\"", "the rule has no rule.query"),
        (
            "[rule]\nquery = \"a: b\"\nlanguage = \"eql\"",
            "the rule's language is \"eql\"; only kuery (KQL) rules can be evaluated",
        ),
        (
            "[rule]\nquery = \"a: b\"\nlanguage = \"lucene\"",
            "the rule's language is \"lucene\"",
        ),
        (
            "[rule]\nquery = \"a: b\"\ntype = \"threshold\"",
            "the rule's type is \"threshold\"; only query and new_terms rules can be evaluated",
        ),
        (
            "[rule]\nquery = \"a: b\"\ntype = \"new_terms\"",
            "the rule has no rule.new_terms",
        ),
        (
            "[rule]\nquery = \"a: (b\"",
            "the rule's query does not parse: expected ')' to close the '(' at line 1, column 4",
        ),
    ];
    for (text, expected) in cases {
        let message = load(text).unwrap_err().to_string();
        assert!(message.starts_with(expected), "{text:?}: {message}");
    }

    let bad_window = NEW_TERMS_TOML.replace("now-10d", "yesterday");
    assert_eq!(
        load(&bad_window).unwrap_err(),
        RuleError::HistoryWindow("yesterday".to_owned())
    );
}

#[test]
fn a_query_rule_alerts_on_matches_and_a_bare_query_only_matches() {
    let rule = load("[rule]\nquery = \"a: b\"\ntype = \"query\"").unwrap();
    assert_eq!(rule.kind, RuleKind::Query);
    let query = Rule::from_query("a: b", QueryLimits::default()).unwrap();
    assert_eq!(
        (query.name.as_str(), &query.kind),
        ("query", &RuleKind::MatchOnly)
    );
}

#[test]
fn history_windows_read_every_unit() {
    let cases = [
        ("now-14d", Some(14 * DAY)),
        ("now-7d", Some(7 * DAY)),
        ("now-2w", Some(14 * DAY)),
        ("now-36h", Some(36 * 3_600_000)),
        ("now-90m", Some(90 * 60_000)),
        ("now-30s", Some(30_000)),
        ("now-0d", None),
        ("now-d", None),
        ("now-5y", None),
        ("14d", None),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_window(text), expected, "{text}");
    }
}

#[test]
fn the_built_in_versions_carry_their_windows_dates_and_queries() {
    let expected = [
        ("v1", "2025-04-24", 14, 4, "event.dataset"),
        ("v2", "2025-07-15", 14, 5, "event.dataset"),
        ("v3", "2025-11-24", 14, 7, "event.dataset"),
        ("v4", "2026-02-26", 7, 8, "event.dataset"),
        ("v5", "2026-04-10", 7, 8, "data_stream.dataset"),
    ];
    let builtins = Rule::builtins();
    assert_eq!(builtins.len(), expected.len());
    for (rule, (name, date, days, clauses, dataset)) in builtins.iter().zip(expected) {
        assert_eq!(rule.name, name);
        assert_eq!(rule.date.as_deref(), Some(date));
        assert_eq!(rule.history_window_days(), Some(days));
        assert_eq!(rule.query.fields().len(), clauses, "{name}");
        assert_eq!(
            rule.query.fields().first().map(String::as_str),
            Some(dataset)
        );
        assert_eq!(rule.rule_id.as_deref(), Some(RULE_ID));
    }
    assert_eq!(
        Rule::builtin("latest").unwrap(),
        Rule::builtin("v5").unwrap()
    );
    assert!(Rule::builtin("latest").unwrap().info().latest);
    assert_eq!(
        Rule::builtin("v6").unwrap_err().to_string(),
        "there is no built-in rule \"v6\"; choose one of v1, v2, v3, v4, v5, latest"
    );
}
