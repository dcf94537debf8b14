//! Raw CloudTrail records become the ECS events Elastic's AWS integration indexes.
//!
//! A rule written for Elastic queries the fields of the integration's `aws.cloudtrail` data
//! stream, which its ingest pipeline fills from the raw record. [`normalize_record`] fills them
//! the same way, so a query finds here exactly what it would find in Elasticsearch:
//!
//! ```
//! use cloudtrail_triage::normalize::{is_raw_record, normalize_record};
//!
//! let text = r#"{"eventVersion":"1.08","eventTime":"2025-04-24T10:11:12Z",
//!     "eventSource":"iam.amazonaws.com","eventName":"CreateUser","sourceIPAddress":"AWS Internal",
//!     "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice",
//!     "accessKeyId":"ASIAEXAMPLE"},"sessionCredentialFromConsole":"true"}"#;
//! let record: serde_json::Value = serde_json::from_str(text).unwrap();
//! assert!(is_raw_record(&record));
//!
//! let event = normalize_record(&record, text).unwrap();
//! assert_eq!(event["@timestamp"], "2025-04-24T10:11:12.000Z");
//! assert_eq!(event["event"]["provider"], "iam.amazonaws.com");
//! assert_eq!(event["aws"]["cloudtrail"]["user_identity"]["access_key_id"], "ASIAEXAMPLE");
//! assert_eq!(event["aws"]["cloudtrail"]["session_credential_from_console"], "true");
//! // "AWS Internal" is not an address: `source.address` keeps it, `source.ip` stays unset.
//! assert_eq!(event["source"]["address"], "AWS Internal");
//! assert!(event["source"].get("ip").is_none());
//! assert_eq!(event["event"]["original"], text);
//! ```
//!
//! # What is mapped
//!
//! The mapping follows the integration's pipeline (`elasticsearch/ingest_pipeline/default.yml`
//! and `entity.yml` of the `aws` package's `cloudtrail` data stream) step for step: empty values
//! (`null`, `""`, empty objects and arrays) are dropped first; then the caller's identity goes to
//! `aws.cloudtrail.user_identity.*`, `user.*` and `cloud.account.id`; the call to `event.*`,
//! `cloud.region` and `source.*`; `requestParameters`, `responseElements`, `additionalEventData`
//! and `serviceEventDetails` to a text field holding Java's rendering of the object (see
//! `aws.cloudtrail.request_parameters` below) and, below 32766 characters, to the object itself
//! under `aws.cloudtrail.flattened.*`; the TLS details to `tls.*`; and the names an event
//! mentions to `related.user`, `related.ip` and `related.entity`.
//!
//! Besides the pipeline's fields, every event carries what the data stream's index holds without
//! the pipeline writing it, `data_stream.dataset` and `event.dataset` (both `aws.cloudtrail`).
//!
//! The pipeline has changed over the integration's versions, and the documents its own tests
//! expect come from several of them. Where versions disagree, the mapping follows the pipeline
//! source it was written from, except where the integration's newer test outputs agree among
//! themselves and the older source does not have the field or leaves it empty: `cloud.provider`,
//! `cloud.service.name`, `cloud.account.id` for callers outside any account, `related.ip`,
//! `user.email`, the session names of assumed roles in `related.user`, the caller's access key
//! and resources in `related.entity`, the caller fields of the entity mapping
//! (`actor.entity.id`, `user.entity.id`, `service.*`),
//! `aws.cloudtrail.user_identity.session_context.ec2_role_delivery`,
//! `aws.cloudtrail.session_credential_from_console`, and a few more IAM calls in the
//! categorization.
//!
//! Left out are the fields Elasticsearch computes from its own databases (`source.geo.*`,
//! `source.as.*`, and `user_agent.name`, `.version`, `.os.*` and `.device.*` from the user-agent
//! parser), `event.created` and `event.ingested`, which are the time of indexing, and the
//! targets of the entity mapping (`target.entity.id`, `host.target.*` and the like), which the
//! integration picks call by call from rules its test outputs do not reveal.
//!
//! `aws.cloudtrail.request_parameters` and its siblings are compared as exact text by a query,
//! so they reproduce what Elasticsearch writes: `{roleArn=arn:..., durationSeconds=3600}`, keys
//! in the iteration order of the Java `HashMap` the pipeline parsed the record into.

mod categorize;
mod cloudtrail;
mod entity;
mod event;
mod identity;
mod java;
#[cfg(test)]
mod tests;

use std::fmt;
use std::net::IpAddr;

use serde_json::{Map, Value};

use crate::time;
use event::Event;

/// The dataset of Elastic's CloudTrail data stream, in `data_stream.dataset` and
/// `event.dataset`.
pub const DATASET: &str = "aws.cloudtrail";

/// The `ecs.version` Elastic's CloudTrail pipeline writes.
pub const ECS_VERSION: &str = "8.11.0";

/// Top-level keys only a raw CloudTrail record has; any one of them makes an object a record.
pub(crate) const RECORD_KEYS: [&str; 3] = ["eventVersion", "eventSource", "eventName"];

/// Top-level keys only a CloudTrail digest file has.
pub(crate) const DIGEST_KEYS: [&str; 4] = [
    "digestStartTime",
    "digestEndTime",
    "digestS3Object",
    "logFiles",
];

/// Why a value cannot be normalized.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NormalizeError {
    /// The value is not a JSON object but an array, a string, a number, a boolean or null.
    NotAnObject {
        /// What the value is, as "an array", "a string" and so on.
        found: &'static str,
    },
    /// The object is a CloudTrail digest file, which lists log files and their hashes and holds
    /// no API call (see [`is_digest`]).
    Digest {
        /// The digest key the object has.
        field: &'static str,
    },
    /// The object is already an ECS event: it has an `event` object or `event.*` keys.
    AlreadyEcs {
        /// The key that marks it.
        field: String,
    },
    /// The object has none of the keys that make a CloudTrail record (see [`is_raw_record`]).
    NotARecord,
    /// A field the mapping reads as text or as an object holds another kind of value, such as
    /// `"userIdentity": "alice"` or `"eventName": 5`.
    WrongType {
        /// The record's field, as a dotted path (`userIdentity.arn`).
        field: String,
        /// What the field must hold ("a string", "an object").
        expected: &'static str,
        /// The value found, as JSON, shortened.
        value: String,
    },
}

impl fmt::Display for NormalizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnObject { found } => {
                write!(
                    f,
                    "a cloudtrail record must be a JSON object, found {found}"
                )
            }
            Self::Digest { field } => {
                write!(
                    f,
                    "this is a cloudtrail digest file (it has `{field}`), not an event"
                )
            }
            Self::AlreadyEcs { field } => {
                write!(
                    f,
                    "this is already an ECS event (it has `{field}`), not a raw record"
                )
            }
            Self::NotARecord => write!(
                f,
                "no cloudtrail record field found: expected `eventVersion`, `eventSource` or \
                 `eventName`"
            ),
            Self::WrongType {
                field,
                expected,
                value,
            } => {
                write!(f, "field `{field}` must be {expected}, found {value}")
            }
        }
    }
}

impl std::error::Error for NormalizeError {}

/// Whether `value` is a CloudTrail digest file rather than an event.
///
/// CloudTrail writes a digest file every hour to let users check that no log file was changed;
/// it is an object with `digestStartTime`, `digestEndTime`, `digestS3Object` and `logFiles`,
/// and any one of these keys makes a digest, since no event record has them.
///
/// ```
/// use serde_json::json;
/// use cloudtrail_triage::normalize::{is_digest, is_raw_record};
///
/// let digest = json!({"digestStartTime": "2025-04-24T10:00:00Z", "logFiles": []});
/// assert!(is_digest(&digest));
/// assert!(!is_raw_record(&digest));
/// ```
pub fn is_digest(value: &Value) -> bool {
    digest_key(value).is_some()
}

/// Whether `value` is a raw CloudTrail record, which [`normalize_record`] turns into an event,
/// rather than an ECS event.
///
/// A raw record is a JSON object that
/// - has at least one of the top-level keys `eventVersion`, `eventSource` and `eventName`
///   (CloudTrail's own names, which no ECS document uses at its top level; every record has
///   `eventVersion`, and the examples in AWS's guides keep at least `eventName`),
/// - has no `event` key and no key starting with `event.` (every ECS event keeps its
///   `event.*` fields there, whether it nests or flattens them), and
/// - is not a digest file ([`is_digest`]).
///
/// A `@timestamp` key alone does not make an ECS event: shippers such as Logstash add one to
/// the records they forward, and such a record is still raw.
///
/// ```
/// use serde_json::json;
/// use cloudtrail_triage::normalize::is_raw_record;
///
/// assert!(is_raw_record(&json!({"eventVersion": "1.08", "eventName": "CreateUser"})));
/// let ecs = json!({"@timestamp": "2025-04-24T10:11:12Z", "event": {"action": "CreateUser"}});
/// assert!(!is_raw_record(&ecs));
/// assert!(!is_raw_record(&json!({"event.action": "CreateUser"})));
/// assert!(!is_raw_record(&json!(["eventName"])));
/// ```
pub fn is_raw_record(value: &Value) -> bool {
    classify(value).is_ok()
}

/// The ECS event Elastic's AWS integration indexes for the raw CloudTrail `record`, with
/// `original`, the record's text as it was read, in `event.original`.
///
/// Pass the exact text the record was parsed from so that `event.original` is faithful; a
/// caller holding only a [`Value`] passes its serialization. What is mapped, and how, is in the
/// [module documentation](self).
///
/// # Errors
///
/// A value [`is_raw_record`] rejects (not an object, a digest, an ECS event, no CloudTrail
/// key); a field the mapping needs as text or as an object that holds something else
/// ([`NormalizeError::WrongType`]).
pub fn normalize_record(record: &Value, original: &str) -> Result<Value, NormalizeError> {
    let fields = classify(record)?;
    let json = java::prune(record).unwrap_or_else(|| Value::Object(Map::new()));
    let mut event = Event::default();

    map_time(&json, &mut event);
    map_call(&json, &mut event)?;
    event.set("event.original", Value::String(original.to_owned()));
    map_cloud(&json, &mut event);
    map_source(&json, &mut event)?;
    identity::map(&json, &mut event)?;
    map_targets(&json, &mut event);
    map_tls(&json, &mut event)?;
    cloudtrail::map_payloads(fields, &json, &mut event);
    cloudtrail::map_details(&json, &mut event)?;

    let action = text(&json, "eventName")?;
    event.related.entity = entity::entities(&json, action);
    Ok(event.finish())
}

/// The record's fields, or why `value` is not a raw record.
fn classify(value: &Value) -> Result<&Map<String, Value>, NormalizeError> {
    let Value::Object(fields) = value else {
        return Err(NormalizeError::NotAnObject {
            found: json_kind(value),
        });
    };
    if let Some(field) = digest_key(value) {
        return Err(NormalizeError::Digest { field });
    }
    if let Some(field) = fields
        .keys()
        .find(|key| *key == "event" || key.starts_with("event."))
    {
        return Err(NormalizeError::AlreadyEcs {
            field: field.clone(),
        });
    }
    if !RECORD_KEYS.iter().any(|key| fields.contains_key(*key)) {
        return Err(NormalizeError::NotARecord);
    }
    Ok(fields)
}

fn digest_key(value: &Value) -> Option<&'static str> {
    let fields = value.as_object()?;
    DIGEST_KEYS
        .into_iter()
        .find(|key| fields.contains_key(*key))
}

/// `@timestamp` from `eventTime`. A record without one keeps the `@timestamp` a shipper gave
/// it, as a document does in Elasticsearch. A time that cannot be read (redacted examples hold
/// `"redacted"` or `"..."`) is left out, as the pipeline leaves it, and the event then has no
/// `@timestamp` unless the shipper's can be read.
fn map_time(json: &Value, event: &mut Event) {
    let timestamp = ["eventTime", "@timestamp"]
        .into_iter()
        .filter_map(|field| lookup(json, field)?.as_str())
        .find_map(parse_date);
    if let Some(millis) = timestamp {
        event.set("@timestamp", Value::String(time::format(millis)));
    }
}

/// `event.*` and `data_stream.dataset`: what was called, on which service, and how it ended.
fn map_call(json: &Value, event: &mut Event) -> Result<(), NormalizeError> {
    let action = text(json, "eventName")?;
    let failed = lookup(json, "errorCode").is_some() || lookup(json, "errorMessage").is_some();
    let console_login_result = match action {
        Some("ConsoleLogin") => text(json, "responseElements.ConsoleLogin").ok().flatten(),
        _ => None,
    };

    event.set_text("event.kind", "event");
    // A categorized call gets its category and its own types, which may be none at all.
    let (category, types) = match action.and_then(categorize::categories) {
        Some(categories) => (Some(categories.category), categories.types),
        None => (None, Some(&["info"][..])),
    };
    if let Some(category) = category {
        event.set("event.category", strings(category));
    }
    if let Some(types) = types {
        event.set("event.type", strings(types));
    }
    if let Some(action) = action {
        event.set_text("event.action", action);
    }
    if let Some(provider) = text(json, "eventSource")? {
        event.set_text("event.provider", provider);
    }
    event.set_text(
        "event.outcome",
        &categorize::outcome(failed, console_login_result),
    );
    event.copy(json, "eventID", "event.id");
    event.set_text("event.dataset", DATASET);
    event.set_text("data_stream.dataset", DATASET);
    Ok(())
}

/// `cloud.*`: the account of the caller, the region and the service called.
fn map_cloud(json: &Value, event: &mut Event) {
    // Callers outside any account (AWS services, federated users) are counted in the account
    // that received the event.
    let account = [
        "userIdentity.accountId",
        "recipientAccountId",
        "awsAccountId",
    ]
    .into_iter()
    .find_map(|field| lookup(json, field));
    if let Some(account) = account {
        event.set("cloud.account.id", account.clone());
    }
    event.copy(json, "awsRegion", "cloud.region");
    event.set_text("cloud.provider", "aws");
    let service = lookup(json, "eventSource")
        .and_then(Value::as_str)
        .and_then(|source| source.strip_suffix(".amazonaws.com"));
    if let Some(service) = service {
        event.set_text("cloud.service.name", service);
    }
}

/// `source.address` always holds `sourceIPAddress`; `source.ip` only when that is an IPv4 or
/// IPv6 address Elasticsearch's `ip` type accepts, so not "AWS Internal", a service's host name
/// or an address with leading zeros such as `075.050.255.67`. `user_agent.original` too.
fn map_source(json: &Value, event: &mut Event) -> Result<(), NormalizeError> {
    if let Some(address) = text(json, "sourceIPAddress")? {
        event.set_text("source.address", address);
        if address.parse::<IpAddr>().is_ok() {
            event.set_text("source.ip", address);
            event.related.ip.push(address.to_owned());
        }
    }
    if let Some(agent) = text(json, "userAgent")? {
        event.set_text("user_agent.original", agent);
    }
    Ok(())
}

/// The group and user an IAM call acts on, as the pipeline reads them from the request and the
/// response.
fn map_targets(json: &Value, event: &mut Event) {
    for (from, to) in [
        ("responseElements.group.groupId", "group.id"),
        ("responseElements.user.userId", "user.target.id"),
        ("requestParameters.newUserName", "user.changes.name"),
        ("requestParameters.groupName", "group.name"),
        ("requestParameters.userName", "user.target.name"),
    ] {
        if let Some(value) = lookup(json, from) {
            event.set(to, Value::String(java::render(value)));
        }
    }
    for from in [
        "requestParameters.userName",
        "requestParameters.newUserName",
    ] {
        if let Some(value) = lookup(json, from) {
            event.related.add_user(&java::render(value));
        }
    }
}

/// `tls.*` from `tlsDetails`. The pipeline splits `tlsVersion` (`TLSv1.3`) into a lower-cased
/// protocol and a version, and takes a bare version (`1.3`) as it is; a version it cannot read
/// leaves every `tls.*` field out.
fn map_tls(json: &Value, event: &mut Event) -> Result<(), NormalizeError> {
    if let Some(version) = text(json, "tlsDetails.tlsVersion")? {
        let Some((protocol, number)) = tls_version(version) else {
            return Ok(());
        };
        if let Some(protocol) = protocol {
            event.set_text("tls.version_protocol", &protocol.to_lowercase());
        }
        event.set_text("tls.version", number);
    }
    event.copy(json, "tlsDetails.cipherSuite", "tls.cipher");
    event.copy(
        json,
        "tlsDetails.clientProvidedHostHeader",
        "tls.client.server_name",
    );
    Ok(())
}

fn tls_version(text: &str) -> Option<(Option<&str>, &str)> {
    let is_number = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_digit())
            && part.chars().all(|c| c.is_ascii_digit() || c == '.')
    };
    if is_number(text) {
        return Some((None, text));
    }
    let (protocol, number) = text.split_once('v')?;
    let named = !protocol.is_empty() && protocol.chars().all(|c| c.is_ascii_alphabetic());
    (named && is_number(number)).then_some((Some(protocol), number))
}

/// The value at the dotted `path` of a record, walking its objects. Records nest their fields
/// and never put dots in their keys, and a path ends where an array starts, so an array is
/// moved whole, as the pipeline's renames move it.
fn lookup<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(json, |value, key| value.as_object()?.get(key))
}

/// The text at `path`, if any; anything but a string there is an error naming the field.
fn text<'a>(json: &'a Value, path: &str) -> Result<Option<&'a str>, NormalizeError> {
    match lookup(json, path) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(wrong_type(path, "a string", other)),
    }
}

fn wrong_type(field: &str, expected: &'static str, found: &Value) -> NormalizeError {
    NormalizeError::WrongType {
        field: field.to_owned(),
        expected,
        value: quote(found),
    }
}

/// Reads the ISO 8601 dates CloudTrail writes: the extended form (`2025-04-24T10:11:12Z`) and,
/// in `sessionContext.attributes.creationDate` of some older records, the basic form
/// (`20250424T101112Z`).
fn parse_date(text: &str) -> Option<time::Millis> {
    time::parse(text).or_else(|| time::parse(&extended_date(text)?))
}

fn extended_date(basic: &str) -> Option<String> {
    let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    let (date, rest) = basic.split_at_checked(8)?;
    let (year, month_day) = date.split_at_checked(4)?;
    let (month, day) = month_day.split_at_checked(2)?;
    if !digits(date) {
        return None;
    }
    let mut extended = format!("{year}-{month}-{day}");
    if rest.is_empty() {
        return Some(extended);
    }

    let (clock, zone) = rest.strip_prefix('T')?.split_at_checked(6)?;
    let (hour, minute_second) = clock.split_at_checked(2)?;
    let (minute, second) = minute_second.split_at_checked(2)?;
    if !digits(clock) {
        return None;
    }
    extended.push_str(&format!("T{hour}:{minute}:{second}{zone}"));
    Some(extended)
}

fn strings(values: &[&str]) -> Value {
    Value::Array(
        values
            .iter()
            .map(|value| Value::String((*value).to_owned()))
            .collect(),
    )
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value as JSON, cut to a readable length for an error message.
fn quote(value: &Value) -> String {
    const LIMIT: usize = 60;
    let json = value.to_string();
    match json.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}...", json.get(..cut).unwrap_or_default()),
        None => json,
    }
}
