//! KQL: any bytes as a query; a query that parses is evaluated and explained against a few
//! fixed documents. Neither may panic, and what they report must agree.

#![no_main]

use cloudtrail_triage::Schema;
use cloudtrail_triage::kql::{Query, QueryLimits};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let query = match Query::parse(&text) {
        Ok(query) => query,
        Err(error) => {
            // The position must lie inside the query and be printable with its caret.
            assert!(error.offset <= text.chars().count(), "{error:?}");
            assert!(error.line >= 1 && error.column >= 1, "{error:?}");
            let _ = error.to_string();
            return;
        }
    };

    // Tighter limits may refuse the query, never panic.
    let _ = Query::parse_with_limits(
        &text,
        QueryLimits {
            max_length: 64,
            max_depth: 2,
        },
    );

    let _ = query.fields();
    let schema = Schema::cloudtrail();
    for doc in documents() {
        let matched = query.matches(doc, &schema);
        let explanation = query.explain(doc, &schema);
        // A top-level `and` is split into clauses, so the two agree only on whether all pass.
        assert_eq!(matched, explanation.matched, "{text:?} on {doc}");
        let _ = serde_json::to_string(&explanation);
    }
});

/// An ECS event as the normalizer writes it, the same flattened, a mixed one with arrays of
/// objects, and values of every JSON type under fields of every schema type.
fn documents() -> &'static [Value] {
    static DOCS: OnceLock<Vec<Value>> = OnceLock::new();
    DOCS.get_or_init(|| {
        vec![
            json!({
                "@timestamp": "2026-11-20T09:03:40.000Z",
                "data_stream": {"dataset": "aws.cloudtrail"},
                "event": {
                    "dataset": "aws.cloudtrail",
                    "provider": "iam.amazonaws.com",
                    "action": "CreateUser",
                    "outcome": "success",
                    "ingested": "2026-11-20T09:04:00Z",
                    "original": "{\"sessionCredentialFromConsole\":\"true\"}"
                },
                "source": {"ip": "203.0.113.10", "address": "203.0.113.10"},
                "user_agent": {"original": "aws-cli/2.22.4 Python/3.12"},
                "aws": {"cloudtrail": {
                    "user_identity": {
                        "type": "IAMUser",
                        "arn": "arn:aws:iam::111122223333:user/alice",
                        "access_key_id": "ASIAALICESESSION0001"
                    },
                    "session_credential_from_console": "true",
                    "request_parameters": "{userName=bob, tags=[a, b]}"
                }}
            }),
            json!({
                "@timestamp": "2025-04-24",
                "event.provider": "sts.amazonaws.com",
                "event.outcome": "failure",
                "source.address": "AWS Internal",
                "source.ip": "2001:db8::1",
                "aws.cloudtrail.user_identity.type": "AssumedRole",
                "aws.cloudtrail.user_identity.access_key_id": "AKIAEXAMPLE",
                "user_agent.original": "AWS Internal",
                "aws.cloudtrail.read_only": true,
                "aws.cloudtrail.event_version": 1.08
            }),
            serde_json::from_str(
                r#"{"event": {"provider": ["iam.amazonaws.com", null, 7], "severity": 123456789012345678901234567890},
                    "aws": {"cloudtrail": {"resources": [{"arn": "a", "type": "AWS::IAM::User"}, {"arn": "b"}],
                    "flattened": {"request_parameters": {"n": -0.0, "deep": [[{"x": "y"}]]}}}},
                    "source": {"ip": "not an ip"}, "aws.cloudtrail": {"user_identity.arn": ""},
                    "related": {"ip": ["10.0.0.1", "::ffff:10.0.0.2"]}, "": {"": ""}}"#,
            )
            .unwrap_or_default(),
            json!({}),
        ]
    })
}
