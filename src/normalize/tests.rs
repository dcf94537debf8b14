//! The project's own records (`tests/fixtures/records/`), one scenario each, and what the
//! normalized event must hold for them.

use serde_json::{Value, json};

use super::*;

/// The fixture records, by name.
fn fixture(name: &str) -> &'static str {
    match name {
        "console_session" => include_str!("../../tests/fixtures/records/console_session.json"),
        "aws_internal" => include_str!("../../tests/fixtures/records/aws_internal.json"),
        "service_on_behalf" => include_str!("../../tests/fixtures/records/service_on_behalf.json"),
        "assumed_role" => include_str!("../../tests/fixtures/records/assumed_role.json"),
        "root" => include_str!("../../tests/fixtures/records/root.json"),
        "error" => include_str!("../../tests/fixtures/records/error.json"),
        "leading_zero_ip" => include_str!("../../tests/fixtures/records/leading_zero_ip.json"),
        "ipv6" => include_str!("../../tests/fixtures/records/ipv6.json"),
        "console_login_failure" => {
            include_str!("../../tests/fixtures/records/console_login_failure.json")
        }
        other => panic!("no fixture named {other}"),
    }
}

const FIXTURES: [&str; 9] = [
    "console_session",
    "aws_internal",
    "service_on_behalf",
    "assumed_role",
    "root",
    "error",
    "leading_zero_ip",
    "ipv6",
    "console_login_failure",
];

fn normalized(name: &str) -> Value {
    let text = fixture(name).trim_end();
    let record: Value = serde_json::from_str(text).unwrap();
    normalize_record(&record, text).unwrap_or_else(|error| panic!("{name}: {error}"))
}

#[test]
fn every_fixture_is_a_record_and_keeps_its_text() {
    for name in FIXTURES {
        let text = fixture(name).trim_end();
        let record: Value = serde_json::from_str(text).unwrap();
        assert!(is_raw_record(&record), "{name}");
        assert!(!is_digest(&record), "{name}");
        assert_eq!(normalized(name)["event"]["original"], text, "{name}");
    }
}

#[test]
fn fixtures_map_as_the_integration_maps_them() {
    // (fixture, field, value the event holds there or null when it must not hold the field)
    let cases: &[(&str, &str, Value)] = &[
        // A console session: the keyword flag, and an IAM user with a temporary key.
        (
            "console_session",
            "aws.cloudtrail.session_credential_from_console",
            json!("true"),
        ),
        (
            "console_session",
            "aws.cloudtrail.user_identity.type",
            json!("IAMUser"),
        ),
        (
            "console_session",
            "aws.cloudtrail.user_identity.access_key_id",
            json!("ASIAEXAMPLECONSOLE01"),
        ),
        (
            "console_session",
            "aws.cloudtrail.user_identity.session_context.mfa_authenticated",
            json!("true"),
        ),
        (
            "console_session",
            "aws.cloudtrail.user_identity.session_context.creation_date",
            json!("2025-05-02T08:00:41.000Z"),
        ),
        (
            "console_session",
            "@timestamp",
            json!("2025-05-02T08:14:03.000Z"),
        ),
        ("console_session", "event.action", json!("CreateAccessKey")),
        (
            "console_session",
            "event.provider",
            json!("iam.amazonaws.com"),
        ),
        ("console_session", "event.outcome", json!("success")),
        ("console_session", "event.category", json!(["iam"])),
        ("console_session", "event.type", json!(["user", "change"])),
        ("console_session", "event.kind", json!("event")),
        (
            "console_session",
            "event.id",
            json!("9d2b6f3a-0000-4000-8000-000000000001"),
        ),
        ("console_session", "event.dataset", json!("aws.cloudtrail")),
        (
            "console_session",
            "data_stream.dataset",
            json!("aws.cloudtrail"),
        ),
        ("console_session", "cloud.account.id", json!("111122223333")),
        ("console_session", "cloud.region", json!("us-east-1")),
        ("console_session", "cloud.provider", json!("aws")),
        ("console_session", "cloud.service.name", json!("iam")),
        ("console_session", "user.name", json!("alice")),
        ("console_session", "user.id", json!("AIDAEXAMPLEALICE0001")),
        ("console_session", "user.target.name", json!("bob")),
        ("console_session", "related.user", json!(["alice", "bob"])),
        (
            "console_session",
            "actor.entity.id",
            json!(["arn:aws:iam::111122223333:user/alice"]),
        ),
        (
            "console_session",
            "user.entity.id",
            json!(["arn:aws:iam::111122223333:user/alice"]),
        ),
        ("console_session", "related.ip", json!(["198.51.100.23"])),
        (
            "console_session",
            "aws.cloudtrail.request_parameters",
            json!("{userName=bob}"),
        ),
        (
            "console_session",
            "aws.cloudtrail.response_elements",
            json!(
                "{accessKey={accessKeyId=AKIAEXAMPLEBOBKEY001, userName=bob, status=Active, createDate=May 2, 2025, 8:14:03 AM}}"
            ),
        ),
        (
            "console_session",
            "aws.cloudtrail.flattened.request_parameters",
            json!({"userName": "bob"}),
        ),
        ("console_session", "aws.cloudtrail.read_only", json!(false)),
        (
            "console_session",
            "aws.cloudtrail.management_event",
            json!(true),
        ),
        ("console_session", "tls.version", json!("1.3")),
        ("console_session", "tls.version_protocol", json!("tls")),
        (
            "console_session",
            "tls.cipher",
            json!("TLS_AES_128_GCM_SHA256"),
        ),
        (
            "console_session",
            "tls.client.server_name",
            json!("iam.amazonaws.com"),
        ),
        ("console_session", "ecs.version", json!("8.11.0")),
        // AWS acting internally: no address to put in `source.ip`.
        ("aws_internal", "source.address", json!("AWS Internal")),
        ("aws_internal", "source.ip", Value::Null),
        ("aws_internal", "related.ip", Value::Null),
        ("aws_internal", "user_agent.original", json!("AWS Internal")),
        (
            "aws_internal",
            "aws.cloudtrail.session_credential_from_console",
            Value::Null,
        ),
        (
            "aws_internal",
            "aws.cloudtrail.response_elements",
            Value::Null,
        ),
        ("aws_internal", "event.type", json!(["info"])),
        ("aws_internal", "event.category", Value::Null),
        // A service calling on a user's behalf: its host name is the source, not an address.
        (
            "service_on_behalf",
            "source.address",
            json!("cloudformation.amazonaws.com"),
        ),
        ("service_on_behalf", "source.ip", Value::Null),
        (
            "service_on_behalf",
            "aws.cloudtrail.user_identity.invoked_by",
            json!("cloudformation.amazonaws.com"),
        ),
        (
            "service_on_behalf",
            "aws.cloudtrail.request_parameters",
            json!("{path=/, maxSessionDuration=3600, roleName=app-runtime}"),
        ),
        (
            "service_on_behalf",
            "aws.cloudtrail.flattened.request_parameters",
            json!({"roleName": "app-runtime", "path": "/", "maxSessionDuration": 3600}),
        ),
        (
            "service_on_behalf",
            "actor.entity.id",
            json!(["arn:aws:iam::111122223333:user/dave"]),
        ),
        ("service_on_behalf", "service.entity.id", Value::Null),
        (
            "service_on_behalf",
            "related.entity",
            json!([
                "arn:aws:iam::111122223333:user/dave",
                "ASIAEXAMPLESTACK0001",
                "dave",
                "arn:aws:iam::111122223333:role/app-runtime",
                "app-runtime"
            ]),
        ),
        // An assumed role: the issuing role names the user; the session name is related.
        (
            "assumed_role",
            "aws.cloudtrail.user_identity.type",
            json!("AssumedRole"),
        ),
        (
            "assumed_role",
            "aws.cloudtrail.user_identity.arn",
            json!("arn:aws:sts::111122223333:assumed-role/deployer/ci-run-42"),
        ),
        ("assumed_role", "user.name", json!("deployer")),
        (
            "assumed_role",
            "user.id",
            json!("AROAEXAMPLEDEPLOYER1:ci-run-42"),
        ),
        (
            "assumed_role",
            "aws.cloudtrail.user_identity.session_context.session_issuer.type",
            json!("Role"),
        ),
        (
            "assumed_role",
            "aws.cloudtrail.user_identity.session_context.session_issuer.arn",
            json!("arn:aws:iam::111122223333:role/deployer"),
        ),
        (
            "assumed_role",
            "aws.cloudtrail.user_identity.session_context.session_issuer.principal_id",
            json!("AROAEXAMPLEDEPLOYER1"),
        ),
        (
            "assumed_role",
            "aws.cloudtrail.user_identity.session_context.session_issuer.account_id",
            json!("111122223333"),
        ),
        (
            "assumed_role",
            "aws.cloudtrail.user_identity.session_context.mfa_authenticated",
            json!("false"),
        ),
        // The basic ISO 8601 form some records use for the session's creation.
        (
            "assumed_role",
            "aws.cloudtrail.user_identity.session_context.creation_date",
            json!("2025-08-01T09:30:00.000Z"),
        ),
        (
            "assumed_role",
            "aws.cloudtrail.user_identity.session_context.ec2_role_delivery",
            json!("2.0"),
        ),
        (
            "assumed_role",
            "actor.entity.id",
            json!(["arn:aws:sts::111122223333:assumed-role/deployer/ci-run-42"]),
        ),
        (
            "assumed_role",
            "user.entity.id",
            json!(["arn:aws:iam::111122223333:role/deployer"]),
        ),
        (
            "assumed_role",
            "related.user",
            json!(["ci-run-42", "AROAEXAMPLEDEPLOYER1:ci-run-42", "deployer"]),
        ),
        (
            "assumed_role",
            "aws.cloudtrail.request_parameters",
            json!("{policyArn=arn:aws:iam::aws:policy/ReadOnlyAccess, roleName=deployer}"),
        ),
        (
            "assumed_role",
            "aws.cloudtrail.resources",
            json!([{
                "account_id": "111122223333",
                "type": "AWS::IAM::Role",
                "arn": "arn:aws:iam::111122223333:role/deployer"
            }]),
        ),
        ("assumed_role", "event.category", json!(["iam"])),
        ("assumed_role", "event.type", json!(["change"])),
        ("assumed_role", "source.ip", json!("203.0.113.40")),
        // The account's root user has no user name.
        ("root", "aws.cloudtrail.user_identity.type", json!("Root")),
        (
            "root",
            "aws.cloudtrail.user_identity.arn",
            json!("arn:aws:iam::111122223333:root"),
        ),
        ("root", "user.name", Value::Null),
        ("root", "user.id", json!("111122223333")),
        ("root", "aws.cloudtrail.request_parameters", Value::Null),
        ("root", "aws.cloudtrail.flattened", Value::Null),
        // A refused call.
        ("error", "event.outcome", json!("failure")),
        ("error", "aws.cloudtrail.error_code", json!("AccessDenied")),
        (
            "error",
            "aws.cloudtrail.error_message",
            json!(
                "User: arn:aws:iam::111122223333:user/erin is not authorized to perform: iam:CreateUser"
            ),
        ),
        (
            "error",
            "aws.cloudtrail.user_identity.access_key_id",
            json!("AKIAEXAMPLEERINKEY01"),
        ),
        ("error", "event.type", json!(["user", "creation"])),
        // Elasticsearch's ip type refuses leading zeros, so the address stays text only.
        (
            "leading_zero_ip",
            "source.address",
            json!("075.050.255.067"),
        ),
        ("leading_zero_ip", "source.ip", Value::Null),
        (
            "leading_zero_ip",
            "@timestamp",
            json!("2025-11-05T10:00:00.000Z"),
        ),
        ("ipv6", "source.ip", json!("2001:db8:85a3::8a2e:370:7334")),
        (
            "ipv6",
            "related.ip",
            json!(["2001:db8:85a3::8a2e:370:7334"]),
        ),
        (
            "ipv6",
            "aws.cloudtrail.request_parameters",
            json!(
                r#"{policyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}, policyName=inline-admin, userName=grace}"#
            ),
        ),
        // A console login says itself whether it worked; its empty access key is dropped.
        ("console_login_failure", "event.outcome", json!("failure")),
        (
            "console_login_failure",
            "event.category",
            json!(["authentication"]),
        ),
        (
            "console_login_failure",
            "aws.cloudtrail.user_identity.access_key_id",
            Value::Null,
        ),
        (
            "console_login_failure",
            "user.email",
            json!("heidi@example.com"),
        ),
        (
            "console_login_failure",
            "aws.cloudtrail.console_login.additional_eventdata",
            json!({
                "mobile_version": false,
                "mfa_used": true,
                "login_to": "https://console.aws.amazon.com/console/home"
            }),
        ),
        (
            "console_login_failure",
            "aws.cloudtrail.additional_eventdata",
            json!(
                "{LoginTo=https://console.aws.amazon.com/console/home, MobileVersion=No, MFAUsed=Yes}"
            ),
        ),
        (
            "console_login_failure",
            "cloud.service.name",
            json!("signin"),
        ),
    ];
    for (name, path, expected) in cases {
        let event = normalized(name);
        let found = lookup(&event, path).cloned().unwrap_or(Value::Null);
        assert_eq!(&found, expected, "{name}: {path}");
    }
}

#[test]
fn a_service_calling_in_its_own_name_is_the_actor() {
    let record = json!({
        "eventName": "AssumeRole",
        "userIdentity": {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"},
        "sourceIPAddress": "ec2.amazonaws.com",
        "recipientAccountId": "111122223333"
    });
    let event = normalize_record(&record, &record.to_string()).unwrap();
    let cases = [
        ("actor.entity.id", json!(["ec2.amazonaws.com"])),
        ("service.entity.id", json!(["ec2.amazonaws.com"])),
        ("service.name", json!("ec2.amazonaws.com")),
        ("cloud.account.id", json!("111122223333")),
        ("user.entity.id", Value::Null),
        ("source.ip", Value::Null),
    ];
    for (path, expected) in cases {
        assert_eq!(
            lookup(&event, path).cloned().unwrap_or(Value::Null),
            expected,
            "{path}"
        );
    }
}

#[test]
fn the_console_flag_may_be_a_boolean() {
    let cases = [(json!(true), json!("true")), (json!("true"), json!("true"))];
    for (flag, keyword) in cases {
        let record = json!({"eventName": "ListUsers", "sessionCredentialFromConsole": flag});
        let event = normalize_record(&record, &record.to_string()).unwrap();
        assert_eq!(
            event["aws"]["cloudtrail"]["session_credential_from_console"],
            keyword
        );
    }
}

#[test]
fn records_and_other_values_are_told_apart() {
    let cases = [
        (json!({"eventVersion": "1.08"}), true, false),
        (
            json!({"eventName": "CreateUser", "responseElements": {"user": {}}}),
            true,
            false,
        ),
        (
            json!({"@timestamp": "2020-09-14T01:19:40.000Z", "eventSource": "s3.amazonaws.com"}),
            true,
            false,
        ),
        (
            json!({"@timestamp": "2025-01-01T00:00:00Z", "event": {"provider": "iam"}}),
            false,
            false,
        ),
        (
            json!({"eventName": "CreateUser", "event.provider": "iam.amazonaws.com"}),
            false,
            false,
        ),
        (
            json!({"eventName": "CreateUser", "event": {"original": "{}"}}),
            false,
            false,
        ),
        (
            json!({"digestStartTime": "2025-01-01T00:00:00Z", "logFiles": []}),
            false,
            true,
        ),
        (
            json!({"awsAccountId": "111122223333", "logFiles": []}),
            false,
            true,
        ),
        (json!({"Records": [{"eventVersion": "1.08"}]}), false, false),
        (json!({"eventTime": "2025-01-01T00:00:00Z"}), false, false),
        (json!([{"eventVersion": "1.08"}]), false, false),
        (json!("eventVersion"), false, false),
    ];
    for (value, raw, digest) in cases {
        assert_eq!(is_raw_record(&value), raw, "{value}");
        assert_eq!(is_digest(&value), digest, "{value}");
    }
}

#[test]
fn errors_name_the_field_and_quote_the_value() {
    let cases = [
        (
            json!([1]),
            "a cloudtrail record must be a JSON object, found an array",
        ),
        (
            json!({"digestEndTime": "2025-01-01T01:00:00Z", "eventName": "x"}),
            "this is a cloudtrail digest file (it has `digestEndTime`), not an event",
        ),
        (
            json!({"eventName": "x", "event": {}}),
            "this is already an ECS event (it has `event`), not a raw record",
        ),
        (
            json!({"Records": []}),
            "no cloudtrail record field found: expected `eventVersion`, `eventSource` or `eventName`",
        ),
        (
            json!({"eventName": "x", "userIdentity": "alice"}),
            "field `userIdentity` must be an object, found \"alice\"",
        ),
        (
            json!({"eventName": 5}),
            "field `eventName` must be a string, found 5",
        ),
        (
            json!({"eventName": "x", "userIdentity": {"arn": ["a", "b"]}}),
            "field `userIdentity.arn` must be a string, found [\"a\",\"b\"]",
        ),
        (
            json!({"eventName": "x", "sessionCredentialFromConsole": 1}),
            "field `sessionCredentialFromConsole` must be \"true\", found 1",
        ),
    ];
    for (value, message) in cases {
        let outcome = normalize_record(&value, &value.to_string());
        let error = match outcome {
            Err(error) => error.to_string(),
            Ok(event) => format!("no error, got {event}"),
        };
        assert_eq!(error, message, "{value}");
    }
}

#[test]
fn long_values_are_shortened_in_messages() {
    let record = json!({"eventName": "x", "userIdentity": ["é".repeat(100)]});
    let message = normalize_record(&record, "").unwrap_err().to_string();
    let quoted = message.trim_start_matches("field `userIdentity` must be an object, found ");
    assert_eq!(quoted, format!("[\"{}...", "é".repeat(58)));
}

#[test]
fn large_integers_and_exact_text_survive() {
    let text = concat!(
        r#"{ "eventName" : "PutMetricData", "requestParameters": "#,
        r#"{"count": 123456789012345678901234567890, "ratio": 0.10000000000000000001} }"#
    );
    let record: Value = serde_json::from_str(text).unwrap();
    let event = normalize_record(&record, text).unwrap();

    assert_eq!(event["event"]["original"], text);
    let flattened = &event["aws"]["cloudtrail"]["flattened"]["request_parameters"];
    assert_eq!(
        flattened["count"].to_string(),
        "123456789012345678901234567890"
    );
    assert_eq!(flattened["ratio"].to_string(), "0.10000000000000000001");
    let rendered = event["aws"]["cloudtrail"]["request_parameters"]
        .as_str()
        .unwrap();
    assert!(
        rendered.contains("count=123456789012345678901234567890"),
        "{rendered}"
    );
    assert!(rendered.contains("ratio=0.1"), "{rendered}");
}

#[test]
fn a_record_without_a_readable_event_time_keeps_a_shipper_timestamp() {
    let cases = [
        (json!({"eventName": "x"}), None),
        (json!({"eventName": "x", "eventTime": "redacted"}), None),
        (json!({"eventName": "x", "eventTime": 1700000000}), None),
        (
            json!({"eventName": "x", "eventTime": "...", "@timestamp": "2020-09-14T01:19:40Z"}),
            Some("2020-09-14T01:19:40.000Z"),
        ),
        (
            json!({"eventName": "x", "@timestamp": "2020-09-14T01:19:40Z"}),
            Some("2020-09-14T01:19:40.000Z"),
        ),
        (
            json!({
                "eventName": "x",
                "eventTime": "2021-01-01T00:00:00Z",
                "@timestamp": "2020-09-14T01:19:40Z"
            }),
            Some("2021-01-01T00:00:00.000Z"),
        ),
    ];
    for (record, timestamp) in cases {
        let event = normalize_record(&record, &record.to_string()).unwrap();
        assert_eq!(
            event.get("@timestamp").and_then(Value::as_str),
            timestamp,
            "{record}"
        );
    }
}

#[test]
fn tls_versions_are_split_or_left_out() {
    let cases = [
        ("TLSv1.2", Some((Some("tls"), "1.2"))),
        ("1.3", Some((None, "1.3"))),
        ("tlsVersion", None),
        ("TLSv", None),
        ("v1.2", None),
    ];
    for (text, expected) in cases {
        let record =
            json!({"eventName": "x", "tlsDetails": {"tlsVersion": text, "cipherSuite": "c"}});
        let event = normalize_record(&record, &record.to_string()).unwrap();
        let found = event.get("tls").map(|tls| {
            (
                tls["version_protocol"].as_str(),
                tls["version"].as_str().unwrap_or_default(),
            )
        });
        assert_eq!(found, expected, "{text}");
        assert_eq!(event.get("tls").is_some(), expected.is_some(), "{text}");
    }
}

#[test]
fn repeated_resources_are_kept_once() {
    let record = json!({"eventName": "x", "resources": [
        {"ARN": "arn:b", "accountId": "1", "type": "T"},
        {"ARN": "arn:a", "accountId": "1", "type": "T"},
        {"ARN": "arn:b", "accountId": "1", "type": "T", "extra": 1},
        "not an object"
    ]});
    let event = normalize_record(&record, &record.to_string()).unwrap();
    let resources = event["aws"]["cloudtrail"]["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 2);
    let last_b = resources.iter().find(|r| r["arn"] == "arn:b").unwrap();
    assert_eq!(last_b["extra"], 1);
}

#[test]
fn basic_iso_dates_are_read() {
    let cases = [
        ("20131102T010628Z", Some("2013-11-02T01:06:28.000Z")),
        ("20131102T010628+0100", Some("2013-11-02T00:06:28.000Z")),
        ("20131102", Some("2013-11-02T00:00:00.000Z")),
        ("2013-11-02T01:06:28Z", Some("2013-11-02T01:06:28.000Z")),
        ("2013110T010628Z", None),
        ("20131102X010628Z", None),
        ("", None),
    ];
    for (text, expected) in cases {
        assert_eq!(
            parse_date(text).map(time::format).as_deref(),
            expected,
            "{text}"
        );
    }
}
