//! `Engine::run_json` and `Engine::run_ndjson`, the fast roads (events read as outlines,
//! canonical events written as their own text, verdicts of no match written from their
//! clauses), write exactly what serializing `Engine::run`'s results writes, for every
//! built-in version, with and without the events, on the bundled sample and on variants of it
//! made to hit every way out of the fast road: other spellings of the same fields, white space,
//! escapes, repeated keys, arrays, odd places for the console flag, broken lines, raw records.
//! A brief result (`Detail::Brief`) is its whole result with the explanation taken out.

use cloudtrail_triage::{Detail, Engine, Rule, Start, State};
use serde_json::{Map, Value, json};

const SAMPLE: &str = include_str!("../examples/sample.ndjson");

/// Both roads over `input` in batches of `batch` lines, for each built-in version alone and
/// for v2 with v5; panics with the first result that differs.
fn assert_roads_agree(name: &str, input: &str, batch: usize) {
    let mut sets: Vec<Vec<Rule>> = Rule::builtins()
        .into_iter()
        .map(|rule| vec![rule])
        .collect();
    sets.push(vec![
        Rule::builtin("v2").unwrap(),
        Rule::builtin("v5").unwrap(),
    ]);
    let lines: Vec<&str> = input.lines().collect();

    for rules in sets {
        let names: Vec<String> = rules.iter().map(|rule| rule.name.clone()).collect();
        let engine = Engine::new(rules);
        let brief = engine.clone().with_detail(Detail::Brief);
        for keep in [false, true] {
            let (mut plain_state, mut fast_state) = (State::default(), State::default());
            let (mut lines_state, mut brief_state) = (State::default(), State::default());
            let mut start = Start::default();
            for chunk in lines.chunks(batch) {
                let text = chunk.join("\n");
                let plain = engine.run(text.as_bytes(), start, plain_state, keep);
                let fast = engine.run_json(text.as_bytes(), start, fast_state, keep);
                let lines =
                    engine.run_ndjson(text.as_bytes(), start, lines_state, keep, String::new());
                let expected = serde_json::to_string(&plain.results).unwrap();
                for result in &plain.results {
                    let holds = result.event.is_some();
                    let wanted = keep && result.error.is_none();
                    assert_eq!(holds, wanted, "{name}: event {} kept: {keep}", result.index);
                }

                let each: String = plain
                    .results
                    .iter()
                    .map(|result| serde_json::to_string(result).unwrap() + "\n")
                    .collect();
                assert!(
                    lines.text == each,
                    "{name}, {names:?}, {keep}: run_ndjson differs"
                );
                let verdicts: Vec<_> = plain
                    .results
                    .iter()
                    .flat_map(|result| match &result.rules {
                        Some(rules) => rules.iter().map(|rule| rule.verdict).collect(),
                        None => vec![result.verdict.verdict],
                    })
                    .collect();
                assert_eq!(lines.verdicts, verdicts, "{name}: verdicts of run_ndjson");
                assert_eq!(lines.state, plain.state, "{name}: run_ndjson's state");
                lines_state = lines.state;

                // A buffer handed back from an earlier batch is emptied before it is written.
                let stale = lines.text.clone();
                let short = brief.run_ndjson(text.as_bytes(), start, brief_state, keep, stale);
                let wanted: String = plain
                    .results
                    .iter()
                    .map(|result| brief_of(serde_json::to_value(result).unwrap()) + "\n")
                    .collect();
                if short.text != wanted {
                    let at = short
                        .text
                        .lines()
                        .zip(wanted.lines())
                        .position(|(a, b)| a != b);
                    panic!(
                        "{name}, {names:?}, {keep}: brief result {at:?} differs\n got: {}\nwant: {}",
                        at.and_then(|at| short.text.lines().nth(at))
                            .unwrap_or(&short.text),
                        at.and_then(|at| wanted.lines().nth(at)).unwrap_or(&wanted),
                    );
                }
                assert_eq!(short.verdicts, verdicts, "{name}: brief verdicts");
                assert_eq!(short.state, plain.state, "{name}: state of the brief road");
                brief_state = short.state;

                if fast.text != expected {
                    let got: Vec<Value> = serde_json::from_str(&fast.text).unwrap();
                    let want: Vec<Value> = serde_json::from_str(&expected).unwrap();
                    let at = got.iter().zip(&want).position(|(a, b)| a != b);
                    panic!(
                        "{name}, rules {names:?}, events kept: {keep}: the roads differ at \
                         result {at:?} of the batch from line {}\n fast: {}\nplain: {}",
                        start.line + 1,
                        at.and_then(|at| got.get(at))
                            .map_or(fast.text.clone(), Value::to_string),
                        at.and_then(|at| want.get(at))
                            .map_or(expected.clone(), Value::to_string),
                    );
                }
                assert_eq!(
                    fast.state, plain.state,
                    "{name}: state after line {}",
                    start.line
                );
                start.index += plain.results.len() as u64;
                start.line += chunk.len() as u64;
                plain_state = plain.state;
                fast_state = fast.state;
            }
        }
    }
}

/// A whole result as its brief form: without reasons, summary and provenance, and each
/// clause without the values it read and its notes.
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

fn sample_events() -> Vec<Value> {
    SAMPLE
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn ndjson(events: &[Value]) -> String {
    events
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every nested object flattened into dotted keys at the top.
fn flatten(value: &Value) -> Value {
    fn walk(prefix: &str, value: &Value, out: &mut Map<String, Value>) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (key, child) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&path, child, out);
                }
            }
            _ => {
                out.insert(prefix.to_owned(), value.clone());
            }
        }
    }
    let mut out = Map::new();
    walk("", value, &mut out);
    Value::Object(out)
}

fn with(mut event: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    if let Some(Value::Object(map)) = event.pointer_mut(parent) {
        map.insert(key.to_owned(), value);
    }
    event
}

fn without(mut event: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    if let Some(Value::Object(map)) = event.pointer_mut(parent) {
        map.shift_remove(key);
    }
    event
}

#[test]
fn the_sample_reads_the_same_on_both_roads() {
    assert_roads_agree("sample", SAMPLE, 1000);
    assert_roads_agree("sample in batches of 7", SAMPLE, 7);
}

#[test]
fn other_spellings_and_layouts_read_the_same() {
    let events = sample_events();
    let flat: Vec<Value> = events.iter().map(flatten).collect();
    assert_roads_agree("flat dotted keys", &ndjson(&flat), 1000);

    // Half nested, half flat: `aws.cloudtrail` as one key holding an object.
    let mixed: Vec<Value> = events
        .iter()
        .map(|event| {
            let mut event = event.clone();
            if let Some(cloudtrail) = event.pointer("/aws/cloudtrail").cloned() {
                event = without(event, "/aws");
                event = with(event, "/aws.cloudtrail", cloudtrail);
            }
            event
        })
        .collect();
    assert_roads_agree("mixed keys", &ndjson(&mixed), 1000);

    let spaced: Vec<String> = events
        .iter()
        .map(|event| {
            serde_json::to_string_pretty(event)
                .unwrap()
                .replace('\n', " ")
        })
        .collect();
    assert_roads_agree("white space between tokens", &spaced.join("\n"), 1000);
}

#[test]
fn the_console_flag_is_placed_as_the_whole_document_places_it() {
    let events = sample_events();
    let console = r#"{"eventVersion":"1.10","sessionCredentialFromConsole":"true"}"#;
    let variants: Vec<Value> = events
        .iter()
        .flat_map(|event| {
            let flagged = with(event.clone(), "/event/original", json!(console));
            [
                flagged.clone(),
                without(flagged.clone(), "/aws"),
                without(flagged.clone(), "/aws/cloudtrail"),
                with(flagged.clone(), "/aws/cloudtrail", json!({})),
                with(flagged.clone(), "/aws", json!({})),
                with(flagged.clone(), "/aws", json!("not an object")),
                with(flagged.clone(), "/aws/cloudtrail", json!(7)),
                with(
                    flagged.clone(),
                    "/aws/cloudtrail/session_credential_from_console",
                    Value::Null,
                ),
                with(
                    flagged.clone(),
                    "/aws/cloudtrail/session_credential_from_console",
                    json!("false"),
                ),
                with(
                    flagged.clone(),
                    "/aws.cloudtrail.session_credential_from_console",
                    Value::Null,
                ),
                with(flagged.clone(), "/event/original", json!(7)),
                with(flagged.clone(), "/event/original", json!("{not json")),
                with(flagged, "/event/original", json!([console])),
            ]
        })
        .collect();
    assert_roads_agree("console flag placements", &ndjson(&variants), 1000);
}

#[test]
fn text_the_outline_leaves_to_the_full_parse_reads_the_same() {
    let lines: Vec<&str> = SAMPLE.lines().collect();
    let mut variants: Vec<String> = Vec::new();
    for line in &lines {
        variants.push(line.to_string());
        // A key repeated: serde_json keeps the last value at the first key's place.
        variants.push(line.replacen(
            r#""event":{"#,
            r#""event":{"outcome":"failure"},"event":{"#,
            1,
        ));
        variants.push(line.replacen(
            r#""provider":"#,
            r#""provider":"x.amazonaws.com","provider":"#,
            1,
        ));
        // Escapes: `\/`, `\u` for a letter, an escaped key, control characters.
        variants.push(line.replace(".amazonaws.com", r".amazonaws\/com"));
        variants.push(line.replacen("iam.amazonaws", r"\u0069am.amazonaws", 1));
        variants.push(line.replacen(r#""outcome""#, r#""outc\u006fme""#, 1));
        variants.push(line.replacen(r#""action":""#, r#""action":"\t\u0001\u001F"#, 1));
        // Numbers serde_json writes back otherwise, and numbers past 2^64.
        variants.push(line.replacen(
            r#""event":{"#,
            r#""event":{"n":1E5,"m":2e7,"big":123456789012345678901234567890,"#,
            1,
        ));
        // Broken lines.
        variants.push(line.get(..line.len() / 2).unwrap().to_owned());
        variants.push(line.replacen(r#"":"#, r#"" "#, 1));
    }
    assert_roads_agree(
        "escapes, repeats, numbers, broken lines",
        &variants.join("\n"),
        1000,
    );
}

#[test]
fn arrays_along_the_paths_are_flattened_alike() {
    let events = sample_events();
    let variants: Vec<Value> = events
        .iter()
        .flat_map(|event| {
            let ip = event.pointer("/source/ip").cloned().unwrap_or(Value::Null);
            [
                with(
                    event.clone(),
                    "/source",
                    json!([{"ip": ip}, {"ip": "192.0.2.1"}, 5, [{"address": "x"}]]),
                ),
                with(
                    event.clone(),
                    "/event/provider",
                    json!(["s3.amazonaws.com", ["iam.amazonaws.com"]]),
                ),
                with(
                    event.clone(),
                    "/aws/cloudtrail/user_identity",
                    json!([{"type": "IAMUser"}, {"type": "Root"}]),
                ),
                with(event.clone(), "/data_stream", json!({"dataset": null})),
            ]
        })
        .collect();
    assert_roads_agree("arrays", &ndjson(&variants), 1000);
}

#[test]
fn raw_records_and_other_shapes_take_the_full_road() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/records");
    let mut lines: Vec<String> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|entry| {
            std::fs::read_to_string(entry.unwrap().path())
                .unwrap()
                .trim()
                .replace('\n', " ")
        })
        .collect();
    lines.sort();
    lines.extend(SAMPLE.lines().take(10).map(str::to_owned));
    lines.push(r#"{"digestStartTime":"2025-04-24T10:00:00Z","logFiles":[]}"#.to_owned());
    lines.push(r#"{"foo":1}"#.to_owned());
    lines.push(r#"{"eventsource":"iam.amazonaws.com","eventname":"CreateUser"}"#.to_owned());
    lines.push("[1,2]".to_owned());
    assert_roads_agree("raw records and other shapes", &lines.join("\n"), 1000);
}

#[test]
fn the_corpus_reads_the_same_on_both_roads() {
    let Ok(corpus) = std::env::var("CLOUDTRAIL_CORPUS") else {
        eprintln!("CLOUDTRAIL_CORPUS is not set; the corpus check is skipped");
        return;
    };
    let records = std::fs::read_to_string(std::path::Path::new(&corpus).join("records.ndjson"))
        .expect("CLOUDTRAIL_CORPUS names a folder with records.ndjson");

    // The corpus holds raw records; their ECS events, as the engine writes them, are the input.
    let engine = Engine::new(vec![Rule::builtin("latest").unwrap()]);
    let batch = engine.run(records.as_bytes(), Start::default(), State::default(), true);
    let events: Vec<Value> = batch
        .results
        .into_iter()
        .filter_map(|result| result.event)
        .collect();
    assert!(
        events.len() > 600,
        "the corpus gave {} events",
        events.len()
    );
    assert_roads_agree("corpus records", &records, 1000);
    assert_roads_agree("corpus events", &ndjson(&events), 1000);
}
