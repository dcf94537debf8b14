//! `normalize_record` against the pipeline tests of Elastic's AWS integration.
//!
//! The integration's CloudTrail data stream ships pairs of files: `test-NAME.log`, raw records
//! one per line, and `test-NAME.log-expected.json`, `{"expected": [...]}` with the document its
//! ingest pipeline produced for each line. This test normalizes every line and compares the
//! result with the expected document field by field. It reads the pairs from
//! `$CLOUDTRAIL_CORPUS/elastic_pipeline_tests` and checks nothing when the variable is unset.
//!
//! How fields are compared: a document is flattened to dotted field names, each holding the
//! list of values found there (values of arrays, and fields of objects inside arrays, are
//! gathered under one name), which is how Elasticsearch indexes and queries it. Two fields
//! match when they hold the same values in any order, since a search cannot tell `"info"`
//! from `["info"]` or `["a", "b"]` from `["b", "a"]`. Numbers compare by value.
//!
//! The expected documents come from several versions of the pipeline, so a field one version
//! added is missing from documents another wrote: fields only our event has are counted as
//! extra, never as mismatches.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cloudtrail_triage::normalize::{NormalizeError, is_digest, is_raw_record, normalize_record};
use serde_json::Value;

/// Expected fields this test does not compare, and why.
const NOT_COMPARED: &[(&str, &str)] = &[
    (
        "event.created",
        "copied from the @timestamp the test harness sets from its own clock",
    ),
    (
        "event.ingested",
        "the time Elasticsearch indexed the document",
    ),
    (
        "source.geo",
        "looked up by Elasticsearch's GeoIP processor in its city database",
    ),
    (
        "source.as",
        "looked up by Elasticsearch's GeoIP processor in its ASN database",
    ),
    (
        "user_agent.name",
        "parsed from user_agent.original by Elasticsearch's user_agent processor",
    ),
    (
        "user_agent.version",
        "parsed by Elasticsearch's user_agent processor",
    ),
    (
        "user_agent.os",
        "parsed by Elasticsearch's user_agent processor",
    ),
    (
        "user_agent.device",
        "parsed by Elasticsearch's user_agent processor",
    ),
    (
        "tags",
        "set by each test's configuration (preserve_original_event, actor_target_mapping)",
    ),
];

/// How a rule field must agree with an expected document.
#[derive(Clone, Copy, PartialEq)]
enum Agreement {
    /// Same values, and absent from our event when absent from the expected document: a field
    /// such as `source.ip` decides a query by being there or not.
    Exactly,
    /// Same values when the expected document has the field; an investigation field some
    /// pipeline versions leave out may be extra.
    WhenExpected,
}

/// The fields the rule's queries (every version) and its investigation fields use.
const RULE_FIELDS: &[(&str, Agreement)] = &[
    ("@timestamp", Agreement::Exactly),
    ("event.provider", Agreement::Exactly),
    ("event.outcome", Agreement::Exactly),
    ("event.action", Agreement::Exactly),
    ("aws.cloudtrail.user_identity.type", Agreement::Exactly),
    ("aws.cloudtrail.user_identity.arn", Agreement::Exactly),
    (
        "aws.cloudtrail.user_identity.access_key_id",
        Agreement::Exactly,
    ),
    (
        "aws.cloudtrail.user_identity.session_context.mfa_authenticated",
        Agreement::Exactly,
    ),
    (
        "aws.cloudtrail.session_credential_from_console",
        Agreement::Exactly,
    ),
    ("source.ip", Agreement::Exactly),
    ("user_agent.original", Agreement::Exactly),
    ("user.name", Agreement::Exactly),
    // Versions before the one that falls back to `recipientAccountId` for callers outside any
    // account (AWS services, SAML users) leave it out for them and for CloudTrail Insights.
    ("cloud.account.id", Agreement::WhenExpected),
    ("cloud.region", Agreement::Exactly),
    // The `-flattened` and `-none` fixtures test an integration setting that stores request
    // parameters only as an object, or not at all; we always store the text the rule's
    // investigation guide shows.
    ("aws.cloudtrail.request_parameters", Agreement::WhenExpected),
];

/// `event.dataset` and `data_stream.dataset` are constant keywords of the data stream's index:
/// every document in it holds `aws.cloudtrail`, but a pipeline test shows only what the
/// pipeline writes, so the expected documents lack them. Every event must carry them.
const DATASET_FIELDS: [&str; 2] = ["event.dataset", "data_stream.dataset"];

const FULL_SHARE_REQUIRED: f64 = 0.95;

type Fields = BTreeMap<String, Vec<Value>>;

#[test]
fn normalized_events_match_elastics_pipeline_tests() {
    let Some(dir) = corpus_dir() else {
        println!("CLOUDTRAIL_CORPUS is unset: checked nothing against Elastic's pipeline tests");
        return;
    };
    let fixtures = fixture_logs(&dir);
    assert!(
        !fixtures.is_empty(),
        "no test-*.log files in {}",
        dir.display()
    );

    let mut report = Report::default();
    for log in &fixtures {
        check_fixture(log, &mut report);
    }
    report.print();

    assert!(
        report.rule_failures.is_empty(),
        "rule fields differ:\n{}",
        report.rule_failures.join("\n")
    );
    let share = report.share();
    assert!(
        share >= FULL_SHARE_REQUIRED,
        "{:.1}% of expected fields match, below {:.0}%",
        share * 100.0,
        FULL_SHARE_REQUIRED * 100.0
    );
}

fn corpus_dir() -> Option<PathBuf> {
    let corpus = std::env::var_os("CLOUDTRAIL_CORPUS")?;
    Some(Path::new(&corpus).join("elastic_pipeline_tests"))
}

fn fixture_logs(dir: &Path) -> Vec<PathBuf> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
    let mut logs: Vec<PathBuf> = entries
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| {
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default();
            name.starts_with("test-") && name.ends_with(".log")
        })
        .collect();
    logs.sort();
    logs
}

#[derive(Default)]
struct Report {
    lines: Vec<String>,
    details: Vec<String>,
    rule_failures: Vec<String>,
    events: usize,
    expected: usize,
    matched: usize,
    blank_lines: usize,
    digests: usize,
}

impl Report {
    fn share(&self) -> f64 {
        self.matched as f64 / self.expected.max(1) as f64
    }

    fn print(&self) {
        println!("Fields not compared:");
        for (field, reason) in NOT_COMPARED {
            println!("  {field}: {reason}");
        }
        println!("\nPer fixture (matched / expected fields):");
        for line in &self.lines {
            println!("  {line}");
        }
        println!("\nFields left that differ or are missing:");
        for line in &self.details {
            println!("  {line}");
        }
        println!(
            "\nRule fields ({} and {}) on {} events: {} disagreements",
            RULE_FIELDS.len(),
            DATASET_FIELDS.len(),
            self.events,
            self.rule_failures.len()
        );
        for failure in &self.rule_failures {
            println!("  {failure}");
        }
        println!(
            "\nTotal: {}/{} expected fields match ({:.1}%); {} blank input lines and {} digest \
             file(s) are not events and were not compared",
            self.matched,
            self.expected,
            self.share() * 100.0,
            self.blank_lines,
            self.digests
        );
    }
}

fn check_fixture(log: &Path, report: &mut Report) {
    let name = log
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default()
        .to_owned();
    let text = std::fs::read_to_string(log).unwrap_or_else(|error| panic!("{name}: {error}"));
    let expected_path = PathBuf::from(format!("{}-expected.json", log.display()));
    let expected_text = std::fs::read_to_string(&expected_path)
        .unwrap_or_else(|error| panic!("{}: {error}", expected_path.display()));
    let expected: Value = serde_json::from_str(&expected_text).expect("expected file is JSON");
    let docs = expected["expected"].as_array().cloned().unwrap_or_default();
    // One document per line; a blank line at the end may or may not have one.
    let lines: Vec<&str> = text.lines().collect();
    let unmatched = lines.get(docs.len()..).unwrap_or_default();
    assert!(
        unmatched.iter().all(|line| line.trim().is_empty()),
        "{name}: lines without documents"
    );

    let (mut fixture_expected, mut fixture_matched, mut extra) = (0, 0, 0);
    for (number, (line, doc)) in lines.iter().zip(&docs).enumerate() {
        let place = format!("{name} line {}", number + 1);
        if line.trim().is_empty() {
            assert!(
                doc.pointer("/event/original").is_none(),
                "{place}: blank line with an original"
            );
            report.blank_lines += 1;
            continue;
        }
        assert_eq!(
            doc.pointer("/event/original").and_then(Value::as_str),
            Some(*line),
            "{place}"
        );

        let record: Value =
            serde_json::from_str(line).unwrap_or_else(|error| panic!("{place}: {error}"));
        if is_digest(&record) {
            assert!(!is_raw_record(&record), "{place}: a digest is not a record");
            let outcome = normalize_record(&record, line);
            assert!(
                matches!(outcome, Err(NormalizeError::Digest { .. })),
                "{place}: {outcome:?}"
            );
            report.digests += 1;
            continue;
        }
        assert!(
            is_raw_record(&record),
            "{place}: not taken for a raw record"
        );
        let ours =
            normalize_record(&record, line).unwrap_or_else(|error| panic!("{place}: {error}"));

        let want = compared_fields(doc);
        let got = flatten(&ours);
        check_rule_fields(&place, &want, &got, &mut report.rule_failures);
        report.events += 1;
        for (field, values) in &want {
            fixture_expected += 1;
            match got.get(field) {
                Some(ours) if same_values(values, ours) => fixture_matched += 1,
                Some(ours) => report.details.push(format!(
                    "{place}: {field} differs: expected {}, got {}",
                    show(values),
                    show(ours)
                )),
                None => report.details.push(format!(
                    "{place}: {field} missing: expected {}",
                    show(values)
                )),
            }
        }
        extra += got
            .keys()
            .filter(|field| !want.contains_key(*field) && compared(field))
            .count();
    }

    report.expected += fixture_expected;
    report.matched += fixture_matched;
    let line = if fixture_expected == 0 {
        format!("{name}: no event to compare")
    } else {
        let share = fixture_matched as f64 / fixture_expected as f64 * 100.0;
        format!("{name}: {fixture_matched}/{fixture_expected} ({share:.1}%), {extra} extra")
    };
    report.lines.push(line);
}

/// Checks the rule's fields on one event, adding a line per disagreement to `failures`.
fn check_rule_fields(place: &str, want: &Fields, got: &Fields, failures: &mut Vec<String>) {
    for (field, agreement) in RULE_FIELDS {
        let (expected, ours) = (want.get(*field), got.get(*field));
        let agrees = match (expected, ours) {
            (Some(expected), Some(ours)) => same_values(expected, ours),
            (Some(_), None) => false,
            (None, Some(_)) => *agreement == Agreement::WhenExpected,
            (None, None) => true,
        };
        if *field == "user.name" && want.contains_key("user.domain") {
            check_split_user_name(place, want, got, failures);
            continue;
        }
        if !agrees {
            failures.push(format!(
                "{place}: {field}: expected {}, got {}",
                expected.map_or("nothing".to_owned(), |values| show(values)),
                ours.map_or("nothing".to_owned(), |values| show(values))
            ));
        }
    }
    for field in DATASET_FIELDS {
        if got.get(field).map(Vec::as_slice) != Some(&[Value::from("aws.cloudtrail")][..]) {
            failures.push(format!("{place}: {field} is not aws.cloudtrail"));
        }
    }
}

/// One version of the pipeline split an e-mail user name into `user.name` (the part before the
/// `@`) and `user.domain`; the versions before and after it keep the whole address in
/// `user.name` (and in `user.email`), as we do. For a document that version wrote, the check is
/// that its two parts are the two halves of our name.
fn check_split_user_name(place: &str, want: &Fields, got: &Fields, failures: &mut Vec<String>) {
    let ours = got
        .get("user.name")
        .and_then(|values| values.first())
        .and_then(Value::as_str);
    let halves = ours.and_then(|name| name.split_once('@'));
    let first = |field: &str| {
        want.get(field)
            .and_then(|values| values.first())
            .and_then(Value::as_str)
    };
    let agrees = halves.is_some_and(|(name, domain)| {
        first("user.name") == Some(name) && first("user.domain") == Some(domain)
    });
    if !agrees {
        failures.push(format!(
            "{place}: user.name: expected {:?} at {:?}, got {ours:?}",
            first("user.name"),
            first("user.domain")
        ));
    }
}

fn compared(field: &str) -> bool {
    !NOT_COMPARED.iter().any(|(prefix, _)| {
        field == *prefix
            || field
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

fn compared_fields(doc: &Value) -> Fields {
    flatten(doc)
        .into_iter()
        .filter(|(field, _)| compared(field))
        .collect()
}

/// A document as Elasticsearch indexes it: dotted field names, each with all its values.
fn flatten(doc: &Value) -> Fields {
    fn walk(value: &Value, path: &str, fields: &mut Fields) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    walk(child, &path, fields);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, path, fields);
                }
            }
            Value::Null => {}
            scalar => fields
                .entry(path.to_owned())
                .or_default()
                .push(scalar.clone()),
        }
    }
    let mut fields = Fields::new();
    walk(doc, "", &mut fields);
    fields
}

fn same_values(left: &[Value], right: &[Value]) -> bool {
    let canonical = |values: &[Value]| {
        let mut keys: Vec<String> = values.iter().map(canonical).collect();
        keys.sort();
        keys
    };
    canonical(left) == canonical(right)
}

fn canonical(value: &Value) -> String {
    match value {
        Value::Number(number) => {
            let text = number.to_string();
            match text.contains(['.', 'e', 'E']).then(|| text.parse::<f64>()) {
                Some(Ok(double)) => format!("n:{double}"),
                _ => format!("n:{text}"),
            }
        }
        Value::String(text) => format!("s:{text}"),
        other => format!("o:{other}"),
    }
}

fn show(values: &[Value]) -> String {
    let text = match values {
        [one] => one.to_string(),
        many => Value::Array(many.to_vec()).to_string(),
    };
    match text.char_indices().nth(160) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}
