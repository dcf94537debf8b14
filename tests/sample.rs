//! The bundled sample is what `examples/make_sample.rs` writes, and it shows every verdict and
//! every clause of every version, passing and failing.

#[path = "../examples/make_sample.rs"]
mod make_sample;

use cloudtrail_triage::{Engine, Rule, Start, State};
use std::collections::BTreeSet;

const SAMPLE: &str = include_str!("../examples/sample.ndjson");

#[test]
fn the_committed_sample_is_what_the_generator_writes() {
    let generated = make_sample::sample_lines().join("\n") + "\n";
    assert!(
        generated == SAMPLE,
        "examples/sample.ndjson is stale: run `cargo run --example make_sample > examples/sample.ndjson`"
    );
}

#[test]
fn the_sample_shows_every_verdict_and_every_clause_both_ways() {
    let lines = SAMPLE.lines().count();
    assert!(
        (45..=60).contains(&lines),
        "about fifty events, found {lines}"
    );

    for rule in Rule::builtins() {
        let name = rule.name.clone();
        let engine = Engine::new(vec![rule]);
        let batch = engine.run(SAMPLE.as_bytes(), Start::default(), State::default(), false);
        assert_eq!(batch.results.len(), lines);

        let verdicts: BTreeSet<String> = batch
            .results
            .iter()
            .map(|r| {
                serde_json::to_value(r.verdict.verdict)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            verdicts,
            BTreeSet::from(["alert".into(), "no_match".into(), "repeat".into()]),
            "{name}"
        );

        let clauses = &batch.results[0].verdict.clauses;
        for (i, clause) in clauses.iter().enumerate() {
            let passes = batch
                .results
                .iter()
                .filter(|r| r.verdict.clauses[i].pass)
                .count();
            assert!(
                passes > 0 && passes < lines,
                "{name}: {} passes on {passes} of {lines}",
                clause.clause
            );
        }
    }
}
