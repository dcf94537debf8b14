//! Where each temporary key came from, found in the same input, in raw and in ECS form.

use cloudtrail_triage::{Engine, Rule, Start, State};
use serde_json::{Value, json};

const ACCOUNT: &str = "444455556666";

fn call(user: &str, key: &str, time: &str, ip: &str, source: &str, name: &str) -> Value {
    let arn = if user.contains('/') {
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/{user}")
    } else {
        format!("arn:aws:iam::{ACCOUNT}:user/{user}")
    };
    let kind = if user.contains('/') {
        "AssumedRole"
    } else {
        "IAMUser"
    };
    json!({
        "eventVersion": "1.10",
        "userIdentity": {"type": kind, "arn": arn, "accountId": ACCOUNT, "accessKeyId": key},
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.22.4",
        "requestParameters": null,
        "responseElements": null,
        "eventID": format!("{name}-{time}")
    })
}

fn issue(mut record: Value, new_key: &str, mfa: bool) -> Value {
    record["responseElements"] = json!({"credentials": {
        "accessKeyId": new_key, "sessionToken": "token", "expiration": "soon"
    }});
    record["requestParameters"] = if mfa {
        json!({"durationSeconds": 3600, "serialNumber": format!("arn:aws:iam::{ACCOUNT}:mfa/x")})
    } else {
        json!({"durationSeconds": 3600, "roleArn": "arn:aws:iam::444455556666:role/next"})
    };
    record
}

/// The story: an MFA session key used from two addresses, a chain of roles, a console session,
/// a key whose issuer is missing; the first issuer is written last, as CloudTrail files allow.
fn records() -> Vec<Value> {
    let iam = "iam.amazonaws.com";
    let sts = "sts.amazonaws.com";
    let mut console_call = call(
        "carol",
        "ASIACAROL",
        "2026-05-01T10:05:00Z",
        "192.0.2.7",
        iam,
        "ListUsers",
    );
    console_call["sessionCredentialFromConsole"] = json!("true");
    let mut login = call(
        "carol",
        "",
        "2026-05-01T10:00:00Z",
        "192.0.2.7",
        "signin.amazonaws.com",
        "ConsoleLogin",
    );
    login["userIdentity"]
        .as_object_mut()
        .unwrap()
        .remove("accessKeyId");
    login["responseElements"] = json!({"ConsoleLogin": "Success"});
    login["additionalEventData"] =
        json!({"MFAUsed": "Yes", "LoginTo": "https://console.aws.amazon.com/"});

    vec![
        call(
            "alice",
            "ASIAALICE",
            "2026-05-01T09:05:00Z",
            "203.0.113.1",
            iam,
            "CreateUser",
        ),
        call(
            "alice",
            "ASIAALICE",
            "2026-05-01T09:06:00Z",
            "203.0.113.1",
            iam,
            "CreateAccessKey",
        ),
        issue(
            call(
                "alice",
                "ASIAALICE",
                "2026-05-01T09:10:00Z",
                "203.0.113.1",
                sts,
                "AssumeRole",
            ),
            "ASIAROLE1",
            false,
        ),
        issue(
            call(
                "ops/alice",
                "ASIAROLE1",
                "2026-05-01T09:11:00Z",
                "203.0.113.1",
                sts,
                "AssumeRole",
            ),
            "ASIAROLE2",
            false,
        ),
        call(
            "admin/alice",
            "ASIAROLE2",
            "2026-05-01T09:12:00Z",
            "203.0.113.1",
            iam,
            "PutRolePolicy",
        ),
        call(
            "alice",
            "ASIAALICE",
            "2026-05-01T17:30:00Z",
            "198.51.100.9",
            iam,
            "ListAccessKeys",
        ),
        login,
        console_call,
        call(
            "dave",
            "ASIADAVE",
            "2026-05-01T12:00:00Z",
            "203.0.113.4",
            iam,
            "GetUser",
        ),
        issue(
            call(
                "alice",
                "AKIAALICE",
                "2026-05-01T09:00:00Z",
                "203.0.113.1",
                sts,
                "GetSessionToken",
            ),
            "ASIAALICE",
            true,
        ),
    ]
}

fn provenance_of(input: &str) -> Vec<Value> {
    let engine = Engine::new(vec![Rule::builtin("latest").unwrap()]);
    let batch = engine.run(input.as_bytes(), Start::default(), State::default(), false);
    batch
        .results
        .iter()
        .map(|result| serde_json::to_value(&result.provenance).unwrap())
        .collect()
}

fn ndjson(values: &[Value]) -> String {
    values
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_temporary_key_gets_its_issuer_and_history() {
    let got = provenance_of(&ndjson(&records()));

    let alice = &got[0];
    assert_eq!(alice["issuer"]["action"], "GetSessionToken");
    assert_eq!(alice["issuer"]["index"], 9);
    assert_eq!(alice["issuer"]["mfa"], true);
    assert_eq!(alice["issuer"]["source_ip"], "203.0.113.1");
    assert_eq!(alice["calls"], 4);
    assert_eq!(alice["events"], json!([0, 1, 2, 5]));
    assert_eq!(alice["source_ips"], json!(["198.51.100.9", "203.0.113.1"]));
    assert_eq!(alice["first_seen"], "2026-05-01T09:05:00.000Z");
    assert_eq!(alice["last_seen"], "2026-05-01T17:30:00.000Z");
    assert_eq!(
        alice["signs"],
        json!([
            "the key was used from 2 source addresses: 198.51.100.9, 203.0.113.1",
            "the key was used again after a gap of 8 hours"
        ])
    );

    let chained = &got[4];
    assert_eq!(chained["key_id"], "ASIAROLE2");
    assert_eq!(chained["issuer"]["action"], "AssumeRole");
    assert_eq!(chained["issuer"]["index"], 3);
    assert_eq!(chained["issuer"]["mfa"], false);
    let chain: Vec<(&str, u64)> = chained["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["action"].as_str().unwrap(), i["index"].as_u64().unwrap()))
        .collect();
    assert_eq!(chain, [("AssumeRole", 2), ("GetSessionToken", 9)]);

    let console = &got[7];
    assert_eq!(console["issuer"]["action"], "ConsoleLogin");
    assert_eq!(console["issuer"]["index"], 6);
    assert_eq!(console["issuer"]["mfa"], true);

    let dave = &got[8];
    assert_eq!(dave["issuer"], Value::Null);
    assert_eq!(
        dave["note"],
        "the call that issued ASIADAVE is not in the input"
    );
    assert_eq!(dave["signs"], json!([]));

    // The login and the session-token call were made without a temporary key.
    assert_eq!(got[6], Value::Null);
    assert_eq!(got[9], Value::Null);
}

#[test]
fn ecs_events_give_the_same_answers_as_their_raw_records() {
    let raw = ndjson(&records());
    let engine = Engine::new(vec![Rule::builtin("latest").unwrap()]);
    let batch = engine.run(raw.as_bytes(), Start::default(), State::default(), true);
    let ecs: Vec<Value> = batch
        .results
        .iter()
        .map(|r| r.event.clone().unwrap())
        .collect();

    // Elastic keeps the raw record only when asked to; without it the ECS fields must do.
    let without_original: Vec<Value> = ecs
        .iter()
        .cloned()
        .map(|mut event| {
            event["event"].as_object_mut().unwrap().remove("original");
            event
        })
        .collect();
    assert_eq!(provenance_of(&ndjson(&ecs)), provenance_of(&raw));
    let stripped = provenance_of(&ndjson(&without_original));
    assert_eq!(stripped[0]["issuer"]["action"], "GetSessionToken");
    assert_eq!(stripped[0]["issuer"]["mfa"], true);
    assert_eq!(stripped[4]["chain"].as_array().unwrap().len(), 2);
}

#[test]
fn facts_hold_for_everything_read_so_far_across_batches() {
    let lines: Vec<String> = records().iter().map(Value::to_string).collect();
    let engine = Engine::new(vec![Rule::builtin("latest").unwrap()]);

    let first = engine.run(
        lines[..5].join("\n").as_bytes(),
        Start::default(),
        State::default(),
        false,
    );
    let alice_then = serde_json::to_value(&first.results[0].provenance).unwrap();
    assert_eq!(
        alice_then["note"],
        "the call that issued ASIAALICE is not in the input"
    );
    assert_eq!(alice_then["calls"], 3);

    let start = Start { index: 5, line: 5 };
    let second = engine.run(lines[5..].join("\n").as_bytes(), start, first.state, false);
    let alice_now = serde_json::to_value(&second.results[0].provenance).unwrap();
    assert_eq!(alice_now["issuer"]["index"], 9);
    assert_eq!(alice_now["calls"], 4);
    assert_eq!(alice_now["events"], json!([0, 1, 2, 5]));
}
