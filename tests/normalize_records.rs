//! Every raw record of the shared corpus (`$CLOUDTRAIL_CORPUS/records.ndjson`, one record per
//! line, from AWS's guides, Panther's rule tests, a real attack dataset and Elastic's pipeline
//! tests) normalizes without error. Checks nothing when the variable is unset.

use std::path::Path;

use cloudtrail_triage::normalize::{NormalizeError, is_digest, is_raw_record, normalize_record};
use serde_json::Value;

#[test]
fn every_corpus_record_normalizes() {
    let Some(corpus) = std::env::var_os("CLOUDTRAIL_CORPUS") else {
        println!("CLOUDTRAIL_CORPUS is unset: checked no corpus record");
        return;
    };
    let path = Path::new(&corpus).join("records.ndjson");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));

    let (mut events, mut digests, mut failures) = (0, 0, Vec::new());
    for (index, line) in text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
    {
        let place = format!("{} line {}", path.display(), index + 1);
        let record: Value =
            serde_json::from_str(line).unwrap_or_else(|error| panic!("{place}: {error}"));

        if is_digest(&record) {
            let outcome = normalize_record(&record, line);
            assert!(
                matches!(outcome, Err(NormalizeError::Digest { .. })),
                "{place}: {outcome:?}"
            );
            digests += 1;
            continue;
        }
        if !is_raw_record(&record) {
            failures.push(format!("{place}: not taken for a raw record"));
            continue;
        }
        match normalize_record(&record, line) {
            Ok(event) => {
                check_event(&record, line, &event, &place, &mut failures);
                events += 1;
            }
            Err(error) => failures.push(format!("{place}: {error}")),
        }
    }

    println!("{events} records normalized, {digests} digest file(s) recognized as such");
    assert!(
        failures.is_empty(),
        "{} records failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(events > 0, "{} holds no record", path.display());
}

/// What must hold for every event: its text is kept whole, the dataset is set, and the request
/// parameters (numbers included, however large) are kept exactly.
fn check_event(record: &Value, line: &str, event: &Value, place: &str, failures: &mut Vec<String>) {
    if event.pointer("/event/original").and_then(Value::as_str) != Some(line) {
        failures.push(format!("{place}: event.original differs from the line"));
    }
    if event
        .pointer("/data_stream/dataset")
        .and_then(Value::as_str)
        != Some("aws.cloudtrail")
    {
        failures.push(format!("{place}: no data_stream.dataset"));
    }
    let parameters = record
        .get("requestParameters")
        .filter(|value| value.is_object());
    let kept = event.pointer("/aws/cloudtrail/flattened/request_parameters");
    if let (Some(parameters), Some(kept)) = (parameters, kept) {
        for (key, value) in kept.as_object().into_iter().flatten() {
            if let (Value::Number(ours), Some(Value::Number(theirs))) = (value, parameters.get(key))
            {
                if ours.to_string() != theirs.to_string() {
                    failures.push(format!(
                        "{place}: requestParameters.{key} changed: {theirs} -> {ours}"
                    ));
                }
            }
        }
    }
}
