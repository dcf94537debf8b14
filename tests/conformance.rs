//! Real material from outside the project, read through environment variables:
//! `RULES_DIR` (every published version of the rule, as detection-rules TOML) and
//! `CLOUDTRAIL_CORPUS` (real CloudTrail records and Elastic's pipeline fixtures). Each test says
//! plainly when its variable is unset and then checks nothing.

use cloudtrail_triage::kql::QueryLimits;
use cloudtrail_triage::{Engine, Rule, Start, State};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn dir_from_env(name: &str) -> Option<PathBuf> {
    match std::env::var_os(name) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            eprintln!("{name} is not set: this test checked nothing");
            None
        }
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path)
            } else {
                files.push(path)
            }
        }
    }
    files.sort();
    files
}

fn folded(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_published_rule_version_loads_and_matches_its_built_in() {
    let Some(dir) = dir_from_env("RULES_DIR") else {
        return;
    };
    let tomls: Vec<PathBuf> = files_under(&dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    assert!(!tomls.is_empty(), "no TOML under {}", dir.display());

    for path in &tomls {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let rule = Rule::from_toml(&text, &name, QueryLimits::default())
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));

        // File names end in .vN-DATE or .vNb-DATE: the built-in vN carries the same query.
        let version = name.rsplit('.').next().unwrap().split('-').next().unwrap();
        let builtin = Rule::builtin(version.trim_end_matches('b')).unwrap();
        assert_eq!(
            folded(rule.query.text()),
            folded(builtin.query.text()),
            "{name}"
        );
        assert_eq!(rule.rule_id, builtin.rule_id, "{name}");
        assert_eq!(rule.title, builtin.title, "{name}");
        if !version.ends_with('b') {
            assert_eq!(rule.kind, builtin.kind, "{name}: history window");
        }
        println!(
            "{name}: {} days, {} clauses",
            rule.history_window_days().unwrap(),
            rule.query.fields().len()
        );
    }
    println!("{} rule files loaded", tomls.len());
}

/// The events a corpus file holds, one JSON text each, and whether the file is event data at
/// all: provenance lists, licences and READMEs are not.
fn events_of(path: &Path) -> Option<Vec<String>> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).ok()?;
    if name.ends_with("-expected.json") {
        let doc: Value = serde_json::from_str(&text).unwrap();
        let docs = doc["expected"].as_array().unwrap();
        // A document without event.original stands for a blank line of the input.
        return Some(
            docs.iter()
                .filter(|d| d.pointer("/event/original").is_some())
                .map(Value::to_string)
                .collect(),
        );
    }
    if name.contains("provenance")
        || !(name.ends_with(".ndjson") || name.ends_with(".log") || name.ends_with(".json"))
    {
        return None;
    }
    let lines = text.lines().filter(|line| !line.trim().is_empty());
    Some(
        lines
            .map(|line| {
                let value: Value = serde_json::from_str(line).unwrap_or(Value::Null);
                // Wrapped samples: {"record": …} from the AWS docs, {"log": …} from Panther.
                match value.get("record").or_else(|| value.get("log")) {
                    Some(inner) => inner.to_string(),
                    None => line.to_owned(),
                }
            })
            .collect(),
    )
}

#[test]
fn every_corpus_event_is_read_normalized_and_judged() {
    let Some(dir) = dir_from_env("CLOUDTRAIL_CORPUS") else {
        return;
    };
    let engine = Engine::new(Rule::builtins());
    let (mut files, mut events, mut not_events) = (0, 0, 0);
    let mut matches = [0usize; 5];

    for path in files_under(&dir) {
        let Some(lines) = events_of(&path) else {
            continue;
        };
        let input = lines.join("\n");
        let batch = engine.run(input.as_bytes(), Start::default(), State::default(), true);
        assert_eq!(
            batch.results.len(),
            lines.len(),
            "{}: one result per event",
            path.display()
        );

        for (result, line) in batch.results.iter().zip(&lines) {
            if let Some(error) = &result.error {
                // Digest files are not events. Panther's rule tests also hold logs of other
                // sources (Okta, OneLogin, GCP…) and records re-keyed in lower case, which
                // CloudTrail never writes; elsewhere, anything but a digest is a failure.
                let mut not_an_event = vec!["is a CloudTrail digest file"];
                if path.to_string_lossy().contains("panther") {
                    not_an_event.push("its keys are in lower case");
                    not_an_event.push("is neither a CloudTrail record nor an ECS event");
                }
                assert!(
                    not_an_event.iter().any(|e| error.contains(e)),
                    "{}: {error}\n{line}",
                    path.display()
                );
                not_events += 1;
                continue;
            }
            let verdicts = result.rules.as_ref().unwrap();
            for (count, verdict) in matches.iter_mut().zip(verdicts) {
                *count += usize::from(verdict.matched);
            }
        }
        files += 1;
        events += lines.len();
    }

    println!(
        "{files} files, {events} events, {not_events} of them not events; matches per version v1..v5: {matches:?}"
    );
    assert!(
        events > 1000,
        "the corpus should hold more than a thousand events, found {events}"
    );
}
