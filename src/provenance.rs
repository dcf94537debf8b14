//! Where a temporary key came from, and what was done with it.
//!
//! The rule's investigation starts with the same questions: who got these `ASIA…` credentials,
//! how (an MFA session token, an assumed role, a console login), from where, and what else was
//! done with them. The answers are in the same input: the call that issued a key carries it in
//! its response (`responseElements.credentials.accessKeyId`), a console session is flagged with
//! `sessionCredentialFromConsole` and follows the user's `ConsoleLogin`, and every call made
//! with the key names it in `userIdentity.accessKeyId`.
//!
//! A [`Ledger`] collects those facts batch by batch; the facts for an event hold for
//! everything read up to the end of its batch, so an issuer written after the calls it enabled
//! (CloudTrail files are not in time order) is still found. Memory is per key, not per event:
//! each key keeps counts, first and last use, at most [`MAX_DISTINCT`] source addresses, user
//! agents and actions, and the positions of its first [`MAX_INDEXES`] events. STS credentials
//! live 36 hours at most, so a key, an issuer or a login more than [`FORGET_AFTER`] older than
//! the newest event seen is forgotten: a very long stream keeps only the last two days.

use crate::enrich::CONSOLE_FIELD;
use crate::field::{self, Fields};
use crate::time::{self, Millis};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The calls whose response issues temporary credentials.
pub const ISSUING_ACTIONS: [&str; 5] = [
    "GetSessionToken",
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
    "GetFederationToken",
];

/// How many distinct source addresses, user agents and actions a key remembers.
pub const MAX_DISTINCT: usize = 32;

/// How many event positions a key remembers, for links to its other events.
pub const MAX_INDEXES: usize = 200;

/// How many times of use a key keeps to measure gaps between uses.
const MAX_TIMES: usize = 256;

/// How far behind the newest event a key, an issuer or a login is forgotten.
pub const FORGET_AFTER: Millis = 2 * time::DAY;

/// A gap between two uses of one key longer than this is worth a look.
pub const LONG_GAP: Millis = 4 * 3_600_000;

/// A console session lasts at most this long after its login.
const CONSOLE_SESSION: Millis = 12 * 3_600_000;

/// What one event tells about keys.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    /// The event's 0-based position in the input.
    pub index: u64,
    /// `aws.cloudtrail.user_identity.access_key_id`.
    pub key: Option<String>,
    /// `@timestamp`.
    pub time: Option<Millis>,
    /// `source.ip`: the address the call came from, when it came from one.
    pub source: Option<String>,
    /// `user_agent.original`.
    pub agent: Option<String>,
    /// `event.action`.
    pub action: Option<String>,
    /// `aws.cloudtrail.user_identity.arn`.
    pub arn: Option<String>,
    /// Whether the event is flagged as a console session.
    pub console: bool,
    /// For a successful issuing call or console login: what it issued.
    pub issued: Option<Issued>,
}

/// What a successful issuing call or console login hands out.
#[derive(Clone, Debug, PartialEq)]
pub enum Issued {
    /// An issuing call's key, and whether the call presented an MFA code (`None` when the
    /// call cannot say, as with SAML and web identities).
    #[allow(missing_docs)]
    Key { key: String, mfa: Option<bool> },
    /// A console login, and whether it used MFA.
    #[allow(missing_docs)]
    Login { mfa: Option<bool> },
}

/// The event that issued a key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Issuer {
    /// `GetSessionToken`, `AssumeRole`, … or `ConsoleLogin`.
    pub action: String,
    /// The issuer's 0-based position in the input.
    pub index: u64,
    /// When it happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Who called it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// Where from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// With what.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Whether MFA was used, when the event says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    /// The key the issuing call itself was made with, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caller_key: Option<String>,
}

/// Everything known of one key's use so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// How many events used the key.
    pub calls: u64,
    /// The first use, as milliseconds; formatted in [`Provenance`].
    first: Option<Millis>,
    last: Option<Millis>,
    /// Distinct source addresses, user agents and actions, at most [`MAX_DISTINCT`] each.
    source_ips: BTreeSet<String>,
    user_agents: BTreeSet<String>,
    actions: BTreeSet<String>,
    /// Positions of the key's first [`MAX_INDEXES`] events.
    indexes: Vec<u64>,
    /// The latest [`MAX_TIMES`] times of use, sorted, to find gaps between uses.
    times: Vec<Millis>,
    /// The longest gap among times already dropped from `times`.
    dropped_gap: Millis,
    longest_gap: Millis,
}

/// The answer for one event made with a temporary key.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Provenance {
    /// The event's key.
    pub key_id: String,
    /// The call that issued it, when it is in the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Issuer>,
    /// Keys above this one: the key the issuer was called with, its issuer's key, and so on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<Issuer>,
    /// Said when the issuer is not in the input, or the key is a console session's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How many events used the key.
    pub calls: u64,
    /// The first use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// The last use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Distinct source addresses the key was used from.
    pub source_ips: Vec<String>,
    /// Distinct user agents the key was used with.
    pub user_agents: Vec<String>,
    /// Distinct actions called with the key.
    pub actions: Vec<String>,
    /// Positions of the key's events in the input (the first [`MAX_INDEXES`]).
    pub events: Vec<u64>,
    /// The longest time between two uses, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longest_gap: Option<String>,
    /// Signs of a stolen session, in sentences: several source addresses or user agents, a
    /// long gap.
    pub signs: Vec<String>,
}

/// Issuers, console logins and key histories, carried from batch to batch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    issuers: BTreeMap<String, (Issuer, Option<Millis>)>,
    logins: BTreeMap<String, Vec<(Issuer, Millis)>>,
    keys: BTreeMap<String, History>,
    newest: Option<Millis>,
}

/// Every field [`facts`] reads.
pub const FIELDS: [&str; 15] = [
    "event.action",
    "event.outcome",
    "aws.cloudtrail.user_identity.access_key_id",
    "@timestamp",
    "source.ip",
    "source.address",
    "user_agent.original",
    "aws.cloudtrail.user_identity.arn",
    CONSOLE_FIELD,
    "aws.cloudtrail.flattened.response_elements.credentials.accessKeyId",
    "aws.cloudtrail.response_elements",
    "aws.cloudtrail.flattened.request_parameters.serialNumber",
    "aws.cloudtrail.request_parameters",
    "aws.cloudtrail.console_login.additional_eventdata.mfa_used",
    "event.original",
];

/// Reads what `event` tells about keys.
pub fn facts(index: u64, event: &dyn Fields) -> Facts {
    let text = |path: &str| field::first_str(event, path).map(str::to_owned);
    let action = text("event.action");
    let succeeded = field::first_str(event, "event.outcome") != Some("failure");
    let issued = match action.as_deref() {
        Some("ConsoleLogin") if succeeded => Some(Issued::Login {
            mfa: login_mfa(event),
        }),
        Some(name) if succeeded && ISSUING_ACTIONS.contains(&name) => {
            issued_key(event).map(|key| Issued::Key {
                key,
                mfa: request_mfa(event, name),
            })
        }
        _ => None,
    };

    Facts {
        index,
        key: text("aws.cloudtrail.user_identity.access_key_id"),
        time: field::first_str(event, "@timestamp").and_then(time::parse),
        // Only addresses count: a service host name in source.address ("AWS Internal",
        // "cloudformation.amazonaws.com") says who acted, not where from.
        source: text("source.ip"),
        agent: text("user_agent.original"),
        arn: text("aws.cloudtrail.user_identity.arn"),
        console: field::first_str(event, CONSOLE_FIELD) == Some("true"),
        action,
        issued,
    }
}

impl Ledger {
    /// Adds one event's facts.
    pub fn record(&mut self, facts: &Facts) {
        if let Some(time) = facts.time {
            self.newest = Some(self.newest.map_or(time, |newest| newest.max(time)));
        }

        match &facts.issued {
            Some(Issued::Key { key, mfa }) => {
                let issuer = issuer_of(facts, *mfa);
                self.issuers.insert(key.clone(), (issuer, facts.time));
            }
            Some(Issued::Login { mfa }) => {
                if let (Some(arn), Some(time)) = (&facts.arn, facts.time) {
                    let logins = self.logins.entry(arn.clone()).or_default();
                    logins.push((issuer_of(facts, *mfa), time));
                    logins.sort_by_key(|(_, time)| *time);
                    if logins.len() > 16 {
                        logins.remove(0);
                    }
                }
            }
            None => {}
        }

        let Some(key) = facts.key.as_deref().filter(|key| key.starts_with("ASIA")) else {
            return;
        };
        // Most events use a key already known, whose entry needs no new copy of the key.
        if !self.keys.contains_key(key) {
            self.keys.insert(key.to_owned(), History::default());
        }
        let Some(history) = self.keys.get_mut(key) else {
            return;
        };
        history.calls += 1;
        if let Some(time) = facts.time {
            history.first = Some(history.first.map_or(time, |first| first.min(time)));
            history.last = Some(history.last.map_or(time, |last| last.max(time)));
            let at = history.times.partition_point(|t| *t <= time);
            // A time after every other (the usual case) adds one gap and closes none, so the
            // longest gap needs no new search.
            let appended = history.times.last().filter(|_| at == history.times.len());
            let gap = appended.map(|last| time - last);
            history.times.insert(at, time);
            // The oldest times go first; the gaps they closed are kept as a maximum.
            if history.times.len() > MAX_TIMES {
                let dropped = history.times.remove(0);
                let next = history.times.first().copied().unwrap_or(dropped);
                history.dropped_gap = history.dropped_gap.max(next - dropped);
            }
            history.longest_gap = match gap {
                Some(gap) => history.longest_gap.max(gap),
                None => history.dropped_gap.max(longest_gap(&history.times)),
            };
        }
        for (set, value) in [
            (&mut history.source_ips, &facts.source),
            (&mut history.user_agents, &facts.agent),
            (&mut history.actions, &facts.action),
        ] {
            if let Some(value) = value {
                if set.len() < MAX_DISTINCT && !set.contains(value) {
                    set.insert(value.clone());
                }
            }
        }
        if history.indexes.len() < MAX_INDEXES {
            history.indexes.push(facts.index);
        }
    }

    /// Forgets keys, issuers and logins more than [`FORGET_AFTER`] behind the newest event.
    pub fn forget_old(&mut self) {
        let Some(newest) = self.newest else { return };
        let horizon = newest.saturating_sub(FORGET_AFTER);
        self.keys
            .retain(|_, history| history.last.is_none_or(|last| last >= horizon));
        self.issuers
            .retain(|_, (_, time)| time.is_none_or(|time| time >= horizon));
        for logins in self.logins.values_mut() {
            logins.retain(|(_, time)| *time >= horizon);
        }
        self.logins.retain(|_, logins| !logins.is_empty());
    }

    /// The provenance of an event made with a temporary (`ASIA…`) key; `None` for any other.
    pub fn provenance(&self, facts: &Facts) -> Option<Provenance> {
        let key = facts.key.as_deref().filter(|key| key.starts_with("ASIA"))?;
        let unused = History::default();
        let history = self.keys.get(key).unwrap_or(&unused);

        let (issuer, note) = match self.issuers.get(key) {
            Some((issuer, _)) => (Some(issuer.clone()), None),
            None if facts.console => match self.console_login(facts) {
                Some(login) => (Some(login), None),
                None => (
                    None,
                    Some(format!(
                        "{key} belongs to a console session; its ConsoleLogin is not in the input"
                    )),
                ),
            },
            None => (
                None,
                Some(format!("the call that issued {key} is not in the input")),
            ),
        };
        let chain = self.chain(issuer.as_ref());
        let signs = signs(history);

        Some(Provenance {
            key_id: key.to_owned(),
            issuer,
            chain,
            note,
            calls: history.calls,
            first_seen: history.first.map(time::format),
            last_seen: history.last.map(time::format),
            source_ips: history.source_ips.iter().cloned().collect(),
            user_agents: history.user_agents.iter().cloned().collect(),
            actions: history.actions.iter().cloned().collect(),
            events: history.indexes.clone(),
            longest_gap: (history.longest_gap > 0)
                .then(|| time::describe_span(history.longest_gap)),
            signs,
        })
    }

    /// The user's latest successful console login before the event, within a session's span.
    fn console_login(&self, facts: &Facts) -> Option<Issuer> {
        let logins = self.logins.get(facts.arn.as_deref()?)?;
        let time = facts.time?;
        logins
            .iter()
            .rev()
            .find(|(_, at)| *at <= time && time - *at <= CONSOLE_SESSION)
            .map(|(login, _)| login.clone())
    }

    /// Issuers above `issuer`, following the key each issuing call was made with.
    fn chain(&self, issuer: Option<&Issuer>) -> Vec<Issuer> {
        let mut chain = Vec::new();
        let mut next = issuer.and_then(|issuer| issuer.caller_key.clone());
        while let Some(key) = next.take() {
            let Some((above, _)) = self.issuers.get(&key) else {
                break;
            };
            if chain.len() >= 8 || chain.contains(above) {
                break;
            }
            next = above.caller_key.clone();
            chain.push(above.clone());
        }
        chain
    }
}

fn issuer_of(facts: &Facts, mfa: Option<bool>) -> Issuer {
    Issuer {
        action: facts.action.clone().unwrap_or_default(),
        index: facts.index,
        timestamp: facts.time.map(time::format),
        arn: facts.arn.clone(),
        source_ip: facts.source.clone(),
        user_agent: facts.agent.clone(),
        mfa,
        caller_key: facts.key.clone(),
    }
}

fn longest_gap(times: &[Millis]) -> Millis {
    times
        .windows(2)
        .map(|pair| pair.get(1).zip(pair.first()).map_or(0, |(b, a)| b - a))
        .max()
        .unwrap_or(0)
}

fn signs(history: &History) -> Vec<String> {
    let mut signs = Vec::new();
    if history.source_ips.len() > 1 {
        signs.push(format!(
            "the key was used from {} source addresses: {}",
            history.source_ips.len(),
            list(&history.source_ips)
        ));
    }
    if history.user_agents.len() > 1 {
        signs.push(format!(
            "the key was used with {} user agents",
            history.user_agents.len()
        ));
    }
    if history.longest_gap > LONG_GAP {
        signs.push(format!(
            "the key was used again after a gap of {}",
            time::describe_span(history.longest_gap)
        ));
    }
    signs
}

fn list(values: &BTreeSet<String>) -> String {
    values.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// The key an issuing call handed out: from the ECS event's flattened response, else from the
/// raw record in `event.original`, else from the response's text form.
fn issued_key(event: &dyn Fields) -> Option<String> {
    let flattened = "aws.cloudtrail.flattened.response_elements.credentials.accessKeyId";
    if let Some(key) = field::first_str(event, flattened) {
        return Some(key.to_owned());
    }
    if let Some(record) = original(event) {
        let key = record.pointer("/responseElements/credentials/accessKeyId");
        if let Some(key) = key.and_then(Value::as_str) {
            return Some(key.to_owned());
        }
    }
    let text = field::first_str(event, "aws.cloudtrail.response_elements")?;
    let rest = text.split_once("accessKeyId=")?.1;
    let key: String = rest
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    (!key.is_empty()).then_some(key)
}

/// Whether an issuing call presented an MFA device: `serialNumber` in its request.
fn request_mfa(event: &dyn Fields, action: &str) -> Option<bool> {
    if !matches!(
        action,
        "GetSessionToken" | "AssumeRole" | "GetFederationToken"
    ) {
        return None;
    }
    let flattened = "aws.cloudtrail.flattened.request_parameters.serialNumber";
    if field::is_present(event, flattened) {
        return Some(true);
    }
    if let Some(record) = original(event) {
        return Some(
            record
                .pointer("/requestParameters/serialNumber")
                .is_some_and(|v| !v.is_null()),
        );
    }
    field::first_str(event, "aws.cloudtrail.request_parameters")
        .map(|text| text.contains("serialNumber="))
}

/// Whether a console login used MFA: `additionalEventData.MFAUsed`.
fn login_mfa(event: &dyn Fields) -> Option<bool> {
    let normalized = "aws.cloudtrail.console_login.additional_eventdata.mfa_used";
    if let Some(used) = event.values(normalized).first().and_then(|v| v.as_bool()) {
        return Some(used);
    }
    let record = original(event)?;
    let used = record.pointer("/additionalEventData/MFAUsed")?.as_str()?;
    Some(used == "Yes")
}

fn original(event: &dyn Fields) -> Option<Value> {
    serde_json::from_str(field::first_str(event, "event.original")?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_issued_key_is_found_in_every_form_an_event_holds_it() {
        let flattened = json!({"aws": {"cloudtrail": {"flattened": {"response_elements": {
            "credentials": {"accessKeyId": "ASIAFLAT"}}}}}});
        let original = json!({"event": {"original":
            r#"{"responseElements":{"credentials":{"accessKeyId":"ASIARAW"}}}"#}});
        let text = json!({"aws.cloudtrail.response_elements":
            "{credentials={sessionToken=x, accessKeyId=ASIATEXT, expiration=y}}"});
        assert_eq!(issued_key(&flattened).as_deref(), Some("ASIAFLAT"));
        assert_eq!(issued_key(&original).as_deref(), Some("ASIARAW"));
        assert_eq!(issued_key(&text).as_deref(), Some("ASIATEXT"));
        assert_eq!(issued_key(&json!({})), None);
    }

    #[test]
    fn mfa_is_read_from_the_request_or_the_login() {
        let with =
            json!({"aws.cloudtrail.request_parameters": "{serialNumber=arn:aws:iam::1:mfa/a}"});
        let without = json!({"aws.cloudtrail.request_parameters": "{durationSeconds=900}"});
        assert_eq!(request_mfa(&with, "GetSessionToken"), Some(true));
        assert_eq!(request_mfa(&without, "AssumeRole"), Some(false));
        assert_eq!(request_mfa(&with, "AssumeRoleWithSAML"), None);
        let login = json!({"aws.cloudtrail.console_login.additional_eventdata.mfa_used": true});
        assert_eq!(login_mfa(&login), Some(true));
    }

    #[test]
    fn gaps_survive_the_oldest_times_being_dropped() {
        let mut ledger = Ledger::default();
        let hour = 3_600_000;
        let mut times: Vec<Millis> = vec![0, 10 * hour];
        times.extend((0..400).map(|i| 10 * hour + i * 1000));
        for (index, time) in times.into_iter().enumerate() {
            let facts = Facts {
                index: index as u64,
                key: Some("ASIAKEY".into()),
                time: Some(time),
                ..Facts::default()
            };
            ledger.record(&facts);
        }
        let probe = Facts {
            key: Some("ASIAKEY".into()),
            ..Facts::default()
        };
        let provenance = ledger.provenance(&probe).unwrap();
        assert_eq!(provenance.calls, 402);
        assert_eq!(provenance.longest_gap.as_deref(), Some("10 hours"));
        assert_eq!(provenance.events.len(), MAX_INDEXES);
    }
}
