//! The rule loader: any bytes as detection-rules TOML. A rule that loads must describe itself
//! and evaluate an event without panicking.

#![no_main]

use cloudtrail_triage::kql::QueryLimits;
use cloudtrail_triage::rule::Rule;
use cloudtrail_triage::{Engine, Start, State};
use libfuzzer_sys::fuzz_target;

const EVENT: &[u8] = br#"{"@timestamp":"2026-11-20T09:03:40Z","event":{"provider":"iam.amazonaws.com","outcome":"success","ingested":"2026-11-20T09:04:00Z"},"data_stream":{"dataset":"aws.cloudtrail"},"source":{"ip":"203.0.113.10"},"aws":{"cloudtrail":{"user_identity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","access_key_id":"ASIAALICESESSION0001"}}}}
"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let rule = match Rule::from_toml(text, "fuzz", QueryLimits::default()) {
        Ok(rule) => rule,
        Err(error) => {
            let _ = error.to_string();
            return;
        }
    };

    let info = rule.info();
    assert_eq!(info.query, rule.query.text());
    let _ = serde_json::to_string(&info);

    let engine = Engine::new(vec![rule]);
    let batch = engine.run(EVENT, Start::default(), State::default(), false);
    assert_eq!(batch.results.len(), 1);
    let _ = serde_json::to_string(&batch.results);
});
