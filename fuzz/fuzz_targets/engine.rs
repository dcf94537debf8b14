//! The whole road: any bytes through `Engine::run` with the built-in rules and a bare query,
//! as a first batch and again as a later one. Every event read must yield exactly one result,
//! in input order, and the results must write out as JSON.
//!
//! The same bytes also take the road the CLI and the page take, `Engine::run_ndjson`: its text
//! must be, line for line, what serializing `run`'s results writes, and with brief results
//! each line must be that result with its explanation taken out.
//!
//! The same bytes also go through a second engine whose extra query is free text. An engine
//! reads ECS events as outlines of the fields its rules name only when every rule names all of
//! its fields, so the second engine parses every event whole: the built-in rules must reach the
//! same verdicts either way, word for word.

#![no_main]

use cloudtrail_triage::input::{self, Limits};
use cloudtrail_triage::kql::QueryLimits;
use cloudtrail_triage::verdict::EventResult;
use cloudtrail_triage::{Detail, Engine, Rule, Start, State};
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

    let whole_results: Vec<Value> = batch
        .results
        .iter()
        .map(|result| serde_json::to_value(result).unwrap_or_default())
        .collect();
    let lines = outlined.run_ndjson(
        data,
        Start::default(),
        State::default(),
        true,
        String::new(),
    );
    let texts: Vec<&str> = lines.text.lines().collect();
    assert_eq!(texts.len(), expected, "one line per event");
    assert_eq!(lines.verdicts.len(), expected * outlined.rules().len());
    for (text, result) in texts.iter().zip(&batch.results) {
        let written = serde_json::to_string(result).unwrap_or_default();
        assert_eq!(*text, written, "run_ndjson writes what run gives");
    }
    assert_eq!(lines.state, batch.state);

    let brief = outlined.clone().with_detail(Detail::Brief).run_ndjson(
        data,
        Start::default(),
        State::default(),
        true,
        lines.text.clone(),
    );
    assert_eq!(brief.verdicts, lines.verdicts);
    assert_eq!(
        brief.state, batch.state,
        "the detail does not change the state"
    );
    let briefs: Vec<&str> = brief.text.lines().collect();
    assert_eq!(briefs.len(), expected);
    for (text, result) in briefs.iter().zip(&whole_results) {
        assert_eq!(
            *text,
            brief_of(result.clone()),
            "a brief result is its whole result, cut"
        );
    }

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

/// A whole result without reasons, summary and provenance, and its clauses without values and
/// notes.
fn brief_of(mut result: Value) -> String {
    fn verdict(verdict: &mut Value) {
        let Value::Object(map) = verdict else { return };
        map.shift_remove("reasons");
        if let Some(Value::Array(clauses)) = map.get_mut("clauses") {
            for clause in clauses.iter_mut().filter_map(Value::as_object_mut) {
                clause.shift_remove("fields");
                clause.shift_remove("notes");
            }
        }
    }
    verdict(&mut result);
    if let Value::Object(map) = &mut result {
        map.shift_remove("summary");
        map.shift_remove("provenance");
        if let Some(Value::Array(rules)) = map.get_mut("rules") {
            rules.iter_mut().for_each(verdict);
        }
    }
    result.to_string()
}

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
