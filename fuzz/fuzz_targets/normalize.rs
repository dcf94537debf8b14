//! The normalizer and the enricher on arbitrary JSON objects.
//!
//! Half the runs read the bytes as JSON text; the other half build a record from the bytes
//! with `arbitrary`, its keys drawn mostly from the names CloudTrail and ECS use, so that the
//! mapping's every branch is reached with every kind of value. Nothing may panic; a normalized
//! event keeps the record's text in `event.original` and writes back out as JSON that reads
//! in again unchanged.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use cloudtrail_triage::enrich::{self, CONSOLE_FIELD, Console};
use cloudtrail_triage::field;
use cloudtrail_triage::input::{self, Limits};
use cloudtrail_triage::normalize::{is_digest, is_raw_record, normalize_record};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Number, Value};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (value, text) = if mode & 1 == 0 {
        // As the engine reads an event: UTF-8, within the nesting limit, an object.
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        let Ok(value) = input::parse_event(text, 0, 1, &Limits::default()) else {
            return;
        };
        (value, text.to_owned())
    } else {
        let mut input = Unstructured::new(rest);
        let Ok(record) = Record::arbitrary(&mut input) else {
            return;
        };
        let value = record.into_value();
        let text = value.to_string();
        (value, text)
    };

    check_normalize(&value, &text);

    // The same value as an ECS event's raw record: `event.original` of every kind.
    let mut event = Map::new();
    event.insert(
        "@timestamp".into(),
        Value::String("2026-01-01T00:00:00Z".into()),
    );
    let original = if mode & 2 == 0 {
        Value::String(text)
    } else {
        value
    };
    event.insert("event.original".into(), original);
    let mut event = Value::Object(event);
    check_enrich(&mut event);
});

fn check_normalize(value: &Value, text: &str) {
    let normalized = normalize_record(value, text);
    assert!(
        normalized.is_err() || is_raw_record(value),
        "only a raw record normalizes"
    );
    assert!(!(is_digest(value) && is_raw_record(value)));
    let Ok(mut event) = normalized else {
        return;
    };

    assert_eq!(field::first_str(&event, "event.original"), Some(text));
    let written = serde_json::to_string(&event).unwrap_or_default();
    let read: Value = serde_json::from_str(&written).unwrap_or_default();
    assert_eq!(
        read, event,
        "a normalized event survives a round trip through JSON"
    );

    check_enrich(&mut event);
}

fn check_enrich(event: &mut Value) {
    let before = event.clone();
    match enrich::enrich(event) {
        Console::Set(flag) => {
            assert_eq!(field::first_str(event, CONSOLE_FIELD), Some(flag.as_str()));
        }
        Console::AlreadySet | Console::NotFlagged | Console::Unknown(_) => {
            assert_eq!(*event, before, "only a flag found changes the event");
        }
    }
}

/// A record: top-level fields, most of them named as CloudTrail names them.
#[derive(Arbitrary, Debug)]
struct Record {
    fields: Vec<(Key, Json)>,
}

#[derive(Arbitrary, Debug)]
enum Key {
    Known(u8),
    Other(String),
}

/// A JSON value. Levels past [`MAX_DEPTH`] become null, as the engine refuses such events
/// before they reach the normalizer.
#[derive(Arbitrary, Debug)]
enum Json {
    Null,
    Bool(bool),
    Integer(i64),
    Huge(u64, u64),
    Float(f64),
    Text(Text),
    Array(Vec<Json>),
    Object(Vec<(Key, Json)>),
}

#[derive(Arbitrary, Debug)]
enum Text {
    Known(u8),
    Other(String),
}

/// Names the mapping reads, at every level of a record.
const KEYS: &[&str] = &[
    "eventVersion",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "userIdentity",
    "type",
    "arn",
    "accountId",
    "accessKeyId",
    "userName",
    "principalId",
    "invokedBy",
    "sessionContext",
    "attributes",
    "creationDate",
    "mfaAuthenticated",
    "sessionIssuer",
    "webIdFederationData",
    "sourceIdentity",
    "ec2RoleDelivery",
    "onBehalfOf",
    "identityStoreArn",
    "userId",
    "credentialId",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "serviceEventDetails",
    "errorCode",
    "errorMessage",
    "requestID",
    "eventID",
    "readOnly",
    "resources",
    "ARN",
    "eventType",
    "apiVersion",
    "managementEvent",
    "recipientAccountId",
    "awsAccountId",
    "sharedEventID",
    "vpcEndpointId",
    "eventCategory",
    "tlsDetails",
    "tlsVersion",
    "cipherSuite",
    "clientProvidedHostHeader",
    "sessionCredentialFromConsole",
    "insightDetails",
    "edgeDeviceDetails",
    "ConsoleLogin",
    "LoginTo",
    "MobileVersion",
    "MFAUsed",
    "group",
    "groupId",
    "groupName",
    "user",
    "newUserName",
    "policyArn",
    "roleArn",
    "roleName",
    "roleSessionName",
    "instancesSet",
    "items",
    "instanceId",
    "keyId",
    "bucketName",
    "@timestamp",
    "event",
    "event.original",
    "event.action",
    "digestStartTime",
    "logFiles",
    "Records",
    "",
];

/// Values the mapping looks at.
const TEXTS: &[&str] = &[
    "1.08",
    "1.10",
    "2025-04-24T10:11:12Z",
    "20250424T101112Z",
    "2025-02-29T00:00:00Z",
    "iam.amazonaws.com",
    "sts.amazonaws.com",
    "CreateUser",
    "ConsoleLogin",
    "AssumeRole",
    "GetSessionToken",
    "Success",
    "Failure",
    "AWS Internal",
    "203.0.113.10",
    "2001:db8::1",
    "075.050.255.67",
    "IAMUser",
    "AssumedRole",
    "Root",
    "AWSService",
    "FederatedUser",
    "arn:aws:iam::111122223333:user/alice",
    "ASIAEXAMPLE",
    "AKIAEXAMPLE",
    "TLSv1.3",
    "1.2",
    "Tv",
    "true",
    "false",
    "us-east-1",
    "AccessDenied",
    "{\"sessionCredentialFromConsole\":\"true\"}",
    "",
    "\u{0}",
    "é😀",
];

/// The engine's default nesting limit.
const MAX_DEPTH: usize = 64;

impl Key {
    fn name(self) -> String {
        match self {
            Self::Known(at) => KEYS
                .get(usize::from(at) % KEYS.len())
                .copied()
                .unwrap_or("")
                .into(),
            Self::Other(text) => text,
        }
    }
}

impl Record {
    fn into_value(self) -> Value {
        let mut map = Map::new();
        map.insert("eventVersion".into(), Value::String("1.08".into()));
        for (key, value) in self.fields {
            map.insert(key.name(), value.into_value(1));
        }
        Value::Object(map)
    }
}

impl Json {
    fn into_value(self, depth: usize) -> Value {
        if depth >= MAX_DEPTH {
            return Value::Null;
        }
        match self {
            Self::Null => Value::Null,
            Self::Bool(flag) => Value::Bool(flag),
            Self::Integer(n) => Value::Number(n.into()),
            Self::Huge(high, low) => {
                let digits = format!("{high}{low:020}");
                serde_json::from_str(&digits).unwrap_or(Value::Null)
            }
            Self::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
            Self::Text(Text::Known(at)) => Value::String(
                TEXTS
                    .get(usize::from(at) % TEXTS.len())
                    .copied()
                    .unwrap_or("")
                    .into(),
            ),
            Self::Text(Text::Other(text)) => Value::String(text),
            Self::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(|item| item.into_value(depth + 1))
                    .collect(),
            ),
            Self::Object(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(key, value)| (key.name(), value.into_value(depth + 1)))
                    .collect(),
            ),
        }
    }
}
