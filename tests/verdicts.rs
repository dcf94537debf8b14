//! Every built-in version against events that pass and fail each of its clauses.
//!
//! One line per case: how the event differs from one that every version alerts on, and the
//! verdict each version v1 … v5 must give.

use cloudtrail_triage::{Engine, Rule, Start, State};
use serde_json::{Value, json};

const VERSIONS: [&str; 5] = ["v1", "v2", "v3", "v4", "v5"];

/// A raw record that every version alerts on.
fn record() -> Value {
    json!({
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": "arn:aws:iam::111122223333:user/alice",
            "accountId": "111122223333",
            "accessKeyId": "ASIAEXAMPLEKEY000001",
            "userName": "alice"
        },
        "eventTime": "2026-11-20T09:03:40Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": "CreateUser",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-cli/2.22.4",
        "requestParameters": {"userName": "svc"},
        "responseElements": null,
        "eventID": "0f0e0d0c-0000-4000-8000-000000000001"
    })
}

/// The ECS event Elastic indexes for `record`, written out by hand.
fn ecs(record: &Value) -> Value {
    json!({
        "@timestamp": "2026-11-20T09:03:40.000Z",
        "data_stream": {"dataset": "aws.cloudtrail", "type": "logs", "namespace": "default"},
        "event": {
            "action": "CreateUser",
            "provider": "iam.amazonaws.com",
            "outcome": "success",
            "dataset": "aws.cloudtrail",
            "kind": "event",
            "ingested": "2026-11-20T09:07:57.000Z",
            "original": record.to_string()
        },
        "source": {"ip": "203.0.113.10", "address": "203.0.113.10"},
        "user_agent": {"original": "aws-cli/2.22.4"},
        "aws": {"cloudtrail": {"user_identity": {
            "type": "IAMUser",
            "arn": "arn:aws:iam::111122223333:user/alice",
            "access_key_id": "ASIAEXAMPLEKEY000001"
        }}}
    })
}

/// Verdicts of every version for one event, each version in a batch of its own.
fn verdicts(event: &Value) -> Vec<String> {
    let line = format!("{event}\n");
    VERSIONS
        .iter()
        .map(|version| {
            let engine = Engine::new(vec![Rule::builtin(version).unwrap()]);
            let batch = engine.run(line.as_bytes(), Start::default(), State::default(), false);
            assert_eq!(batch.results.len(), 1);
            let verdict = serde_json::to_value(&batch.results[0]).unwrap();
            verdict["verdict"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// Sets the field at `pointer`, adding it to its parent object if it is not there yet.
fn set(event: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = event
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"));
    parent
        .as_object_mut()
        .unwrap()
        .insert(key.to_owned(), value);
}

fn remove(event: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    event
        .pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove(key);
}

const A: &str = "alert";
const N: &str = "no_match";

#[test]
fn each_clause_of_each_version_passes_and_fails() {
    type Change = fn(&mut Value);
    let cases: Vec<(&str, Change, [&str; 5])> = vec![
        ("the base event", |_| {}, [A, A, A, A, A]),
        (
            "another provider",
            |e| set(e, "/event/provider", json!("sts.amazonaws.com")),
            [N, N, N, N, N],
        ),
        (
            "provider in other case",
            |e| set(e, "/event/provider", json!("IAM.amazonaws.com")),
            [N, N, N, N, N],
        ),
        (
            "a failed call",
            |e| set(e, "/event/outcome", json!("failure")),
            [A, N, N, N, N],
        ),
        (
            "an assumed role",
            |e| {
                set(
                    e,
                    "/aws/cloudtrail/user_identity/type",
                    json!("AssumedRole"),
                )
            },
            [N, N, N, N, N],
        ),
        (
            "type in other case",
            |e| set(e, "/aws/cloudtrail/user_identity/type", json!("iamuser")),
            [N, N, N, N, N],
        ),
        (
            "a long-term AKIA key",
            |e| {
                set(
                    e,
                    "/aws/cloudtrail/user_identity/access_key_id",
                    json!("AKIAEXAMPLEKEY000001"),
                )
            },
            [N, N, N, N, N],
        ),
        (
            "a lower-case asia key",
            |e| {
                set(
                    e,
                    "/aws/cloudtrail/user_identity/access_key_id",
                    json!("asiaexamplekey000001"),
                )
            },
            [N, N, N, N, N],
        ),
        (
            "no access key",
            |e| remove(e, "/aws/cloudtrail/user_identity/access_key_id"),
            [N, N, N, N, N],
        ),
        (
            "AWS Internal as source",
            |e| {
                remove(e, "/source/ip");
                set(e, "/source/address", json!("AWS Internal"));
                set(e, "/user_agent/original", json!("AWS Internal"));
            },
            [A, A, N, N, N],
        ),
        (
            "a service acting for the user",
            |e| {
                remove(e, "/source/ip");
                set(e, "/source/address", json!("cloudformation.amazonaws.com"));
                set(
                    e,
                    "/user_agent/original",
                    json!("cloudformation.amazonaws.com"),
                );
            },
            [A, A, N, N, N],
        ),
        (
            "an IP but the AWS Internal agent",
            |e| set(e, "/user_agent/original", json!("AWS Internal")),
            [A, A, N, N, N],
        ),
        (
            "the agent in other case",
            |e| set(e, "/user_agent/original", json!("aws internal")),
            [A, A, A, A, A],
        ),
        (
            "a console session",
            |e| {
                let mut raw = record();
                raw["sessionCredentialFromConsole"] = json!("true");
                set(e, "/event/original", json!(raw.to_string()));
            },
            [A, A, A, N, N],
        ),
        (
            "a console flag as JSON true",
            |e| {
                let mut raw = record();
                raw["sessionCredentialFromConsole"] = json!(true);
                set(e, "/event/original", json!(raw.to_string()));
            },
            [A, A, A, N, N],
        ),
        (
            "the console field already indexed",
            |e| {
                set(
                    e,
                    "/aws/cloudtrail/session_credential_from_console",
                    json!("true"),
                );
            },
            [A, A, A, N, N],
        ),
        (
            "no event.original",
            |e| remove(e, "/event/original"),
            [A, A, A, A, A],
        ),
        (
            "another dataset",
            |e| {
                set(e, "/event/dataset", json!("aws_logs.generic"));
                set(e, "/data_stream/dataset", json!("aws_logs.generic"));
            },
            [N, N, N, N, N],
        ),
        (
            "only data_stream.dataset is CloudTrail's",
            |e| set(e, "/event/dataset", json!("aws_logs.generic")),
            [N, N, N, N, A],
        ),
        (
            "no dataset fields at all",
            |e| {
                remove(e, "/event/dataset");
                remove(e, "/data_stream");
            },
            [A, A, A, A, A],
        ),
        (
            "source.ip as an array",
            |e| set(e, "/source/ip", json!(["10.0.0.1", "203.0.113.10"])),
            [A, A, A, A, A],
        ),
        (
            "outcome with two values",
            |e| set(e, "/event/outcome", json!(["failure", "success"])),
            [A, A, A, A, A],
        ),
        (
            "an invalid source.ip",
            |e| set(e, "/source/ip", json!("075.050.255.67")),
            [A, A, N, N, N],
        ),
    ];

    for (name, change, expected) in cases {
        let mut event = ecs(&record());
        change(&mut event);
        assert_eq!(verdicts(&event), expected, "{name}");
    }
}

#[test]
fn flat_dotted_mixed_and_raw_forms_agree() {
    let raw = record();
    let nested = ecs(&raw);
    let mut flat = serde_json::Map::new();
    flatten("", &nested, &mut flat);
    let mixed = json!({
        "@timestamp": nested["@timestamp"],
        "event.provider": "iam.amazonaws.com",
        "event": {"outcome": "success", "original": nested["event"]["original"]},
        "aws.cloudtrail": {"user_identity.type": "IAMUser", "user_identity": {
            "arn": "arn:aws:iam::111122223333:user/alice",
            "access_key_id": "ASIAEXAMPLEKEY000001"
        }},
        "source.ip": "203.0.113.10",
        "user_agent": {"original": "aws-cli/2.22.4"}
    });
    for event in [nested, Value::Object(flat), mixed, raw] {
        assert_eq!(verdicts(&event), [A, A, A, A, A], "{event}");
    }

    let mut console = record();
    console["sessionCredentialFromConsole"] = json!("true");
    assert_eq!(verdicts(&console), [A, A, A, N, N]);
    let mut internal = record();
    internal["sourceIPAddress"] = json!("AWS Internal");
    internal["userAgent"] = json!("AWS Internal");
    assert_eq!(verdicts(&internal), [A, A, N, N, N]);
}

fn flatten(prefix: &str, value: &Value, out: &mut serde_json::Map<String, Value>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, child, out);
            }
        }
        other => {
            out.insert(prefix.to_owned(), other.clone());
        }
    }
}

/// One ARN's matches over days: the history window decides between alert and repeat.
#[test]
fn the_history_window_of_each_version_decides_repeats() {
    let at = |time: &str, ingested: &str| {
        let mut event = ecs(&record());
        set(&mut event, "/@timestamp", json!(time));
        set(&mut event, "/event/ingested", json!(ingested));
        event.to_string()
    };
    let input = [
        at("2026-11-20T09:00:00Z", "2026-11-20T09:04:00Z"),
        at("2026-11-20T10:00:00Z", "2026-11-20T10:04:00Z"),
        at("2026-11-29T10:00:00Z", "2026-11-29T10:04:00Z"),
        at("2026-12-15T10:00:00Z", "2026-12-15T10:04:00Z"),
        // Ingested before the first event though written last: time order, not file order.
        at("2026-11-20T08:00:00Z", "2026-11-20T08:01:00Z"),
    ]
    .join("\n");

    let expected = [
        ("v1", ["repeat", "repeat", "repeat", "alert", "alert"]),
        ("v3", ["repeat", "repeat", "repeat", "alert", "alert"]),
        ("v4", ["repeat", "repeat", "alert", "alert", "alert"]),
        ("v5", ["repeat", "repeat", "alert", "alert", "alert"]),
    ];
    for (version, verdicts) in expected {
        let engine = Engine::new(vec![Rule::builtin(version).unwrap()]);
        let batch = engine.run(input.as_bytes(), Start::default(), State::default(), false);
        let got: Vec<String> = batch
            .results
            .iter()
            .map(|r| {
                serde_json::to_value(r).unwrap()["verdict"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(got, verdicts, "{version}");
    }
}

#[test]
fn a_stream_in_chunks_gives_the_alerts_of_the_whole() {
    let engine = Engine::new(vec![
        Rule::builtin("v5").unwrap(),
        Rule::builtin("v1").unwrap(),
    ]);
    let lines: Vec<String> = (0..40)
        .map(|i| {
            let mut event = ecs(&record());
            let user = format!("arn:aws:iam::111122223333:user/u{}", i % 7);
            set(&mut event, "/aws/cloudtrail/user_identity/arn", json!(user));
            let time = format!("2026-11-{:02}T09:00:00Z", 1 + (i * 3) % 29);
            set(&mut event, "/event/ingested", json!(time));
            if i % 5 == 0 {
                set(&mut event, "/event/outcome", json!("failure"));
            }
            event.to_string()
        })
        .collect();
    let whole = engine.run(
        lines.join("\n").as_bytes(),
        Start::default(),
        State::default(),
        false,
    );

    let mut state = State::default();
    let mut pieces = Vec::new();
    for (n, chunk) in lines.chunks(40).enumerate() {
        let start = Start {
            index: (n * 40) as u64,
            line: (n * 40) as u64,
        };
        let batch = engine.run(chunk.join("\n").as_bytes(), start, state, false);
        state = batch.state;
        pieces.extend(batch.results);
    }
    assert_eq!(
        serde_json::to_value(&whole.results).unwrap(),
        serde_json::to_value(&pieces).unwrap()
    );
    assert_eq!(whole.state, state);
}

#[test]
fn every_event_gets_one_result_in_input_order() {
    let good = ecs(&record()).to_string();
    let input = format!(
        "{good}\n{{\"broken\": \n\n[1]\n{good}\n{{\"Records\":\"x\"}}\n{{\"digestStartTime\":\"2026-01-01T00:00:00Z\",\"digestEndTime\":\"2026-01-01T01:00:00Z\",\"logFiles\":[]}}\n{{\"foo\":1}}\n"
    );
    let engine = Engine::new(vec![Rule::builtin("latest").unwrap()]);
    let batch = engine.run(
        input.as_bytes(),
        Start {
            index: 10,
            line: 100,
        },
        State::default(),
        false,
    );
    let summary: Vec<(u64, String, Option<String>)> = batch
        .results
        .iter()
        .map(|r| {
            (
                r.index,
                serde_json::to_value(&r.verdict).unwrap()["verdict"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                r.error.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (10, "alert".to_owned(), None),
            (11, "error".to_owned(), Some("event 11 (line 102) is not valid JSON: EOF while parsing a value at line 1 column 10 (starts with \"{\\\"broken\\\":\")".to_owned())),
            (12, "error".to_owned(), Some("event 12 (line 104) is an array, not a JSON object".to_owned())),
            (13, "repeat".to_owned(), None),
            (14, "error".to_owned(), Some("the file's \"Records\" holds a string, not an array of CloudTrail records".to_owned())),
            (15, "error".to_owned(), Some("event 15 (line 107) is a CloudTrail digest file, which lists log files and holds no API call".to_owned())),
            (16, "error".to_owned(), Some("event 16 (line 108) is neither a CloudTrail record nor an ECS event: it has no eventSource/eventName and no @timestamp or event.* fields (its keys: foo)".to_owned())),
        ]
    );
}

#[test]
fn verdicts_explain_clauses_and_caveats() {
    let mut event = ecs(&record());
    remove(&mut event, "/event/original");
    remove(&mut event, "/data_stream");
    remove(&mut event, "/source/ip");
    let engine = Engine::new(vec![Rule::builtin("v5").unwrap()]);
    let batch = engine.run(
        format!("{event}").as_bytes(),
        Start::default(),
        State::default(),
        true,
    );
    let result = serde_json::to_value(&batch.results[0]).unwrap();

    assert_eq!(result["match"], false);
    assert_eq!(result["alert"], false);
    let reasons: Vec<&str> = result["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(reasons[0], "no match: 1 of 8 clauses fail");
    assert_eq!(reasons[6], "fail: source.ip: * (source.ip is missing)");
    assert_eq!(
        reasons[2],
        "pass: event.provider: (\"iam.amazonaws.com\") (event.provider is \"iam.amazonaws.com\")"
    );
    assert!(reasons[1].starts_with("pass: data_stream.dataset: aws.cloudtrail (data_stream.dataset is missing); data_stream.dataset is missing from the event"), "{}", reasons[1]);
    let caveats = result["caveats"].as_array().unwrap();
    assert_eq!(caveats.len(), 2, "{caveats:?}");
    assert!(
        caveats[0]
            .as_str()
            .unwrap()
            .starts_with("data_stream.dataset is missing from the event")
    );
    assert_eq!(
        caveats[1],
        "console status is unknown (event.original is missing), so aws.cloudtrail.session_credential_from_console could not be recovered from the raw record"
    );
    assert_eq!(
        result["summary"]["arn"],
        "arn:aws:iam::111122223333:user/alice"
    );
    assert_eq!(
        result["event"]["aws"]["cloudtrail"]["user_identity"]["type"],
        "IAMUser"
    );
}
