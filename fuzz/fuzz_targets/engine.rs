//! The whole road: any bytes through `Engine::run` with the built-in rules and a bare query,
//! as a first batch and again as a later one. Every event read must yield exactly one result,
//! in input order, and the results must write out as JSON.
//!
//! The same bytes also go through a second engine whose extra query is free text. An engine
//! reads ECS events as outlines of the fields its rules name only when every rule names all of
//! its fields, so the second engine parses every event whole: the built-in rules must reach the
//! same verdicts either way, word for word.

#![no_main]

use cloudtrail_triage::input::{self, Limits};
use cloudtrail_triage::kql::QueryLimits;
use cloudtrail_triage::verdict::EventResult;
use cloudtrail_triage::{Engine, Rule, Start, State};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;

/// Memory grows with the number of events in a batch, and a small gzip can inflate to
/// millions of them; a quarter of a megabyte keeps each run within libFuzzer's memory limit.
const LIMITS: Limits = Limits {
    max_input_bytes: 256 << 10,
    max_event_bytes: 4 << 20,
    max_depth: 64,
};

fuzz_target!(|data: &[u8]| {
    let (outlined, whole) = engines();
    let expected = input::decode(data, &LIMITS)
        .items(Start::default(), &LIMITS)
        .len();

    let batch = outlined.run(data, Start::default(), State::default(), true);
    assert_eq!(batch.results.len(), expected, "one result per event");
    for (position, result) in batch.results.iter().enumerate() {
        assert_eq!(result.index, position as u64, "results in input order");
        assert_eq!(result.error.is_some(), result.event.is_none());
        if let Some(rules) = &result.rules {
            assert_eq!(
                rules.len(),
                outlined.rules().len(),
                "a verdict from every rule"
            );
        }
    }
    let written = serde_json::to_string(&batch.results).unwrap_or_default();
    assert!(written.starts_with('['), "results write out as JSON");

    let parsed = whole.run(data, Start::default(), State::default(), true);
    assert_eq!(parsed.results.len(), expected);
    for (outlined, parsed) in batch.results.iter().zip(&parsed.results) {
        assert_eq!(
            without_last_rule(outlined),
            without_last_rule(parsed),
            "an outline and a whole parse give the built-in rules the same verdicts"
        );
    }

    // The state a batch leaves must carry on into the next.
    let state = serde_json::to_string(&batch.state).unwrap_or_default();
    let state: State = serde_json::from_str(&state).unwrap_or_default();
    assert_eq!(state, batch.state);
    let again = outlined.run(data, Start { index: 7, line: 3 }, state, false);
    assert_eq!(again.results.len(), expected);
    for (position, result) in again.results.iter().enumerate() {
        assert_eq!(
            result.index,
            7 + position as u64,
            "a later batch numbers on"
        );
    }
});

/// A result as JSON without the verdict of the extra query, which differs between the engines.
fn without_last_rule(result: &EventResult) -> Value {
    let mut value = serde_json::to_value(result).unwrap_or_default();
    if let Some(Value::Array(rules)) = value.get_mut("rules") {
        rules.pop();
    }
    value
}

fn engines() -> &'static (Engine, Engine) {
    static ENGINES: OnceLock<(Engine, Engine)> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let with = |query: &str| {
            let mut rules = Rule::builtins();
            if let Ok(rule) = Rule::from_query(query, QueryLimits::default()) {
                rules.push(rule);
            }
            Engine::new(rules).with_limits(LIMITS)
        };
        let fields = r#"event.action: (CreateUser or "AttachUserPolicy") or source.ip: 10.0.0.0/8
            or not aws.cloudtrail.user_identity.type: IAMUser and user_agent.original: *aws-cli*"#;
        (with(fields), with("nothing_like_this_anywhere"))
    })
}
