//! The caller: `userIdentity` becomes `aws.cloudtrail.user_identity.*`, `user.*` and
//! `related.user`.

use serde_json::{Value, json};

use super::event::Event;
use super::{NormalizeError, java, lookup, parse_date, text, wrong_type};
use crate::time;

/// Fields of `userIdentity` moved as they are, and where they go; the session context's go under
/// `aws.cloudtrail.user_identity.session_context`.
const MOVED: [(&str, &str); 2] = [
    ("principalId", "user.id"),
    ("invokedBy", "aws.cloudtrail.user_identity.invoked_by"),
];

const SESSION_CONTEXT_MOVED: [(&str, &str); 6] = [
    ("attributes.mfaAuthenticated", "mfa_authenticated"),
    ("ec2RoleDelivery", "ec2_role_delivery"),
    ("sessionIssuer.type", "session_issuer.type"),
    ("sessionIssuer.principalId", "session_issuer.principal_id"),
    ("sessionIssuer.arn", "session_issuer.arn"),
    ("sessionIssuer.accountId", "session_issuer.account_id"),
];

/// Maps `userIdentity`.
pub fn map(json: &Value, event: &mut Event) -> Result<(), NormalizeError> {
    let Some(identity) = lookup(json, "userIdentity") else {
        return Ok(());
    };
    if !identity.is_object() {
        return Err(wrong_type("userIdentity", "an object", identity));
    }

    for (field, to) in [
        ("type", "aws.cloudtrail.user_identity.type"),
        ("arn", "aws.cloudtrail.user_identity.arn"),
        ("accessKeyId", "aws.cloudtrail.user_identity.access_key_id"),
    ] {
        if let Some(value) = text(json, &format!("userIdentity.{field}"))? {
            event.set_text(to, value);
        }
    }
    for (field, to) in MOVED {
        if let Some(value) = lookup(identity, field) {
            event.set(to, value.clone());
        }
    }
    let context = "user_identity.session_context";
    for (field, to) in SESSION_CONTEXT_MOVED {
        if let Some(value) = lookup(identity, &format!("sessionContext.{field}")) {
            event.set_cloudtrail(&format!("{context}.{to}"), value.clone());
        }
    }
    // The pipeline ignores a creation date it cannot read, and so does this.
    let created = lookup(identity, "sessionContext.attributes.creationDate")
        .and_then(Value::as_str)
        .and_then(parse_date);
    if let Some(millis) = created {
        let to = format!("{context}.creation_date");
        event.set_cloudtrail(&to, Value::String(time::format(millis)));
    }

    map_user(json, identity, event)?;
    map_entities(json, event)
}

/// `user.name`, `user.email` and `related.user`.
///
/// `user.name` is the IAM user's name or, for an assumed role, the name of the role that issued
/// the session. `related.user` holds the user name and, for an assumed role, the names the
/// session goes by: its session name (the person or workload behind it), its principal ID
/// (`role-id:session-name`) and the issuing role. An e-mail address as user name or session
/// name, common with single sign-on, also goes to `user.email`; a session name's part before
/// the `@` also goes to `related.user`.
fn map_user(json: &Value, identity: &Value, event: &mut Event) -> Result<(), NormalizeError> {
    let user_name = lookup(identity, "userName");
    let issuer_name = lookup(identity, "sessionContext.sessionIssuer.userName");
    if let Some(name) = user_name.or(issuer_name) {
        event.set("user.name", name.clone());
    }
    if let Some(name) = user_name {
        event.related.add_user(&java::render(name));
    }

    let assumed_role = text(json, "userIdentity.type")? == Some("AssumedRole");
    let session = text(json, "userIdentity.arn")?.and_then(role_session_name);
    let session_email = session.filter(|name| is_email(name));
    if assumed_role {
        let principal = lookup(identity, "principalId").map(java::render);
        let issuer = issuer_name.map(java::render);
        let local_part = session_email
            .and_then(|email| email.split_once('@'))
            .map(|(local, _)| local);
        for name in [session, local_part, principal.as_deref(), issuer.as_deref()]
            .into_iter()
            .flatten()
        {
            event.related.add_user(name);
        }
    }

    let user_email = user_name
        .and_then(Value::as_str)
        .filter(|name| is_email(name));
    if let Some(email) = user_email.or(session_email) {
        event.set_text("user.email", email);
    }
    Ok(())
}

/// `actor.entity.id`, who made the call: the caller's ARN or, for an AWS service calling in its
/// own name (which has no ARN), the service's host name. `user.entity.id`, the IAM identity
/// behind it: the role that issued an assumed role's session, or the caller's ARN.
/// `service.entity.id` when a service made the call: the service itself (also in
/// `service.name`), or the session of its service-linked role.
fn map_entities(json: &Value, event: &mut Event) -> Result<(), NormalizeError> {
    let kind = text(json, "userIdentity.type")?;
    let arn = text(json, "userIdentity.arn")?;
    let invoked_by = lookup(json, "userIdentity.invokedBy").and_then(Value::as_str);
    let issuer =
        lookup(json, "userIdentity.sessionContext.sessionIssuer.arn").and_then(Value::as_str);

    if let Some(actor) = arn.or(invoked_by) {
        event.set("actor.entity.id", json!([actor]));
    }
    let user = match kind {
        Some("AssumedRole") => issuer.or(arn),
        _ => arn,
    };
    if let Some(user) = user {
        event.set("user.entity.id", json!([user]));
    }

    let service_linked = issuer.is_some_and(|issuer| issuer.contains(":role/aws-service-role/"));
    match (kind, invoked_by, arn) {
        (Some("AWSService"), Some(service), _) => {
            event.set_text("service.name", service);
            event.set("service.entity.id", json!([service]));
        }
        (_, _, Some(session)) if service_linked => event.set("service.entity.id", json!([session])),
        _ => {}
    }
    Ok(())
}

/// The session name of an assumed role's ARN,
/// `arn:<partition>:sts::<account>:assumed-role/<role>/<session>`.
fn role_session_name(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some("sts"), Some(_), Some(_), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let (_, session) = resource.strip_prefix("assumed-role/")?.split_once('/')?;
    (!session.is_empty()).then_some(session)
}

/// `name@domain.tld`, without spaces: how a single sign-on user name or session name looks.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.contains(char::is_whitespace)
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_come_from_assumed_role_arns_only() {
        let cases = [
            (
                "arn:aws:sts::111122223333:assumed-role/deploy/ci-run",
                Some("ci-run"),
            ),
            (
                "arn:aws-us-gov:sts::111122223333:assumed-role/deploy/a@example.com",
                Some("a@example.com"),
            ),
            ("arn:aws:iam::111122223333:user/alice", None),
            ("arn:aws:sts::111122223333:federated-user/alice", None),
            ("arn:aws:sts::111122223333:assumed-role/deploy", None),
            ("not an arn", None),
        ];
        for (arn, session) in cases {
            assert_eq!(role_session_name(arn), session, "{arn}");
        }
    }

    #[test]
    fn e_mail_addresses_are_told_from_other_names() {
        let cases = [
            ("alice@example.com", true),
            ("alice", false),
            ("alice@localhost", false),
            ("@example.com", false),
            ("a b@example.com", false),
            ("a@b@example.com", false),
        ];
        for (text, expected) in cases {
            assert_eq!(is_email(text), expected, "{text}");
        }
    }
}
