//! The `aws.cloudtrail.*` fields that describe the call itself: its request, response and
//! additional data, its resources, and CloudTrail's own bookkeeping.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::event::Event;
use super::{NormalizeError, java, lookup, text, wrong_type};

/// Texts this long or longer are kept only as text, not also as an object under
/// `aws.cloudtrail.flattened`, as in the pipeline (Lucene's limit for one term, in UTF-16 units).
const FLATTENED_LIMIT: usize = 32766;

/// `requestParameters`, `responseElements`, `additionalEventData` and `serviceEventDetails` as
/// text and, when short enough, as objects under `aws.cloudtrail.flattened`. The text is
/// rendered from the record as read, because the order of a Java map's keys depends on every
/// key it was given, the dropped empty ones included.
pub fn map_payloads(record: &Map<String, Value>, json: &Value, event: &mut Event) {
    for (from, to) in [
        ("requestParameters", "request_parameters"),
        ("responseElements", "response_elements"),
        ("additionalEventData", "additional_eventdata"),
        ("serviceEventDetails", "service_event_details"),
    ] {
        let (Some(original), Some(kept)) = (record.get(from), lookup(json, from)) else {
            continue;
        };
        let text = java::render(original);
        let short = java::utf16_len(&text) < FLATTENED_LIMIT;
        event.set_cloudtrail(to, Value::String(text));
        if short {
            event.set_cloudtrail(&format!("flattened.{to}"), kept.clone());
        }
    }
    if let Some(insight) = lookup(json, "insightDetails") {
        event.set_cloudtrail("flattened.insight_details", insight.clone());
    }
}

/// The remaining `aws.cloudtrail.*` fields, moved as they are, and the console-login details.
pub fn map_details(json: &Value, event: &mut Event) -> Result<(), NormalizeError> {
    for (from, to) in [
        ("eventVersion", "event_version"),
        ("eventCategory", "event_category"),
        ("eventType", "event_type"),
        ("apiVersion", "api_version"),
        ("errorCode", "error_code"),
        ("errorMessage", "error_message"),
        ("requestID", "request_id"),
        ("managementEvent", "management_event"),
        ("readOnly", "read_only"),
        ("recipientAccountId", "recipient_account_id"),
        // CloudTrail spells it `sharedEventID`; the pipeline reads `sharedEventId` only.
        ("sharedEventID", "shared_event_id"),
        ("sharedEventId", "shared_event_id"),
        ("vpcEndpointId", "vpc_endpoint_id"),
    ] {
        if let Some(value) = lookup(json, from) {
            event.set_cloudtrail(to, value.clone());
        }
    }

    if let Some(resources) = lookup(json, "resources") {
        event.set_cloudtrail("resources", distinct_resources(resources));
    }
    if let Some(flag) = console_credential(json)? {
        event.set_cloudtrail("session_credential_from_console", Value::String(flag));
    }
    if text(json, "eventName")? == Some("ConsoleLogin") {
        map_console_login(json, event);
    }
    Ok(())
}

/// `sessionCredentialFromConsole` as the keyword the integration stores: CloudTrail writes the
/// string `"true"`, and some hand-written test data the JSON boolean, which becomes its text.
fn console_credential(json: &Value) -> Result<Option<String>, NormalizeError> {
    const FIELD: &str = "sessionCredentialFromConsole";
    match lookup(json, FIELD) {
        None => Ok(None),
        Some(Value::String(flag)) => Ok(Some(flag.clone())),
        Some(Value::Bool(flag)) => Ok(Some(flag.to_string())),
        Some(other) => Err(wrong_type(FIELD, "\"true\"", other)),
    }
}

/// `resources` with `ARN` and `accountId` renamed `arn` and `account_id`, and one entry per
/// ARN, account and type, the last one kept, in the order of the Java map that collects them.
/// Entries that are not objects are dropped; a `resources` that is not an array stays as it is.
fn distinct_resources(resources: &Value) -> Value {
    let Value::Array(entries) = resources else {
        return resources.clone();
    };

    let mut keys: Vec<String> = Vec::new();
    let mut entries_by_key: Vec<Value> = Vec::new();
    let mut positions: HashMap<String, usize> = HashMap::new();
    for entry in entries {
        let Value::Object(fields) = entry else {
            continue;
        };
        let renamed: Map<String, Value> = fields
            .iter()
            .map(|(name, value)| {
                let name = match name.as_str() {
                    "ARN" => "arn",
                    "accountId" => "account_id",
                    other => other,
                };
                (name.to_owned(), value.clone())
            })
            .collect();
        let part = |name: &str| renamed.get(name).map(java::render).unwrap_or_default();
        let key = format!("{}_{}_{}", part("arn"), part("account_id"), part("type"));
        match positions
            .get(&key)
            .and_then(|index| entries_by_key.get_mut(*index))
        {
            Some(kept) => *kept = Value::Object(renamed),
            None => {
                positions.insert(key.clone(), keys.len());
                keys.push(key);
                entries_by_key.push(Value::Object(renamed));
            }
        }
    }

    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let distinct = java::iteration_order(&key_refs)
        .into_iter()
        .filter_map(|index| entries_by_key.get(index).cloned())
        .collect();
    Value::Array(distinct)
}

/// `aws.cloudtrail.console_login.additional_eventdata.*` for a `ConsoleLogin`: whether a mobile
/// console and MFA were used (anything but `No` counts as yes), and the page logged in to.
fn map_console_login(json: &Value, event: &mut Event) {
    let prefix = "console_login.additional_eventdata";
    for (from, to) in [("MobileVersion", "mobile_version"), ("MFAUsed", "mfa_used")] {
        if let Some(answer) = lookup(json, &format!("additionalEventData.{from}")) {
            let yes = answer.as_str() != Some("No");
            event.set_cloudtrail(&format!("{prefix}.{to}"), Value::Bool(yes));
        }
    }
    if let Some(page) = lookup(json, "additionalEventData.LoginTo") {
        event.set_cloudtrail(&format!("{prefix}.login_to"), page.clone());
    }
}
