//! The whole road: any bytes through `Engine::run` with the built-in rules and a bare query,
//! as a first batch and again as a later one. Every event read must yield exactly one result, in
//! input order, and the results must write out as JSON.

#![no_main]

use cloudtrail_triage::input::{self, Limits};
use cloudtrail_triage::kql::QueryLimits;
use cloudtrail_triage::{Engine, Rule, Start, State};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Memory grows with the number of events in a batch, and a small gzip can inflate to
/// millions of them; a quarter of a megabyte keeps each run within libFuzzer's memory limit.
const LIMITS: Limits = Limits {
    max_input_bytes: 256 << 10,
    max_event_bytes: 4 << 20,
    max_depth: 64,
};

fuzz_target!(|data: &[u8]| {
    let engine = engine();
    let limits = LIMITS;
    let expected = input::decode(data, &limits)
        .items(Start::default(), &limits)
        .len();

    let batch = engine.run(data, Start::default(), State::default(), true);
    assert_eq!(batch.results.len(), expected, "one result per event");
    for (position, result) in batch.results.iter().enumerate() {
        assert_eq!(result.index, position as u64, "results in input order");
        assert_eq!(result.error.is_some(), result.event.is_none());
        if let Some(rules) = &result.rules {
            assert_eq!(
                rules.len(),
                engine.rules().len(),
                "a verdict from every rule"
            );
        }
    }
    let written = serde_json::to_string(&batch.results).unwrap_or_default();
    assert!(written.starts_with('['), "results write out as JSON");

    // The state a batch leaves must carry on into the next.
    let state = serde_json::to_string(&batch.state).unwrap_or_default();
    let state: State = serde_json::from_str(&state).unwrap_or_default();
    assert_eq!(state, batch.state);
    let again = engine.run(data, Start { index: 7, line: 3 }, state, false);
    assert_eq!(again.results.len(), expected);
    for (position, result) in again.results.iter().enumerate() {
        assert_eq!(
            result.index,
            7 + position as u64,
            "a later batch numbers on"
        );
    }
});

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut rules = Rule::builtins();
        let query = r#"event.action: (CreateUser or "AttachUserPolicy") or source.ip: 10.0.0.0/8
            or not aws.cloudtrail.user_identity.type: IAMUser and user_agent.original: *aws-cli*"#;
        if let Ok(rule) = Rule::from_query(query, QueryLimits::default()) {
            rules.push(rule);
        }
        Engine::new(rules).with_limits(LIMITS)
    })
}
