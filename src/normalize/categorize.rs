//! ECS categorization (`event.kind`, `event.category`, `event.type`, `event.outcome`).
//!
//! Elastic's pipeline gives every event `event.kind: event` and `event.type: [info]`, and for a
//! list of API calls, mostly IAM ones, a category and a more precise type.

/// How an API call is categorized: its `event.category`, and its `event.type` (`None` when the
/// integration sets a category but no type for it).
pub struct Categories {
    pub category: &'static [&'static str],
    pub types: Option<&'static [&'static str]>,
}

/// The categories of an API call, by `eventName`; `None` for a call the integration leaves
/// uncategorized, which keeps `event.type: [info]` and no category.
pub fn categories(action: &str) -> Option<Categories> {
    const AUTHENTICATION: &[&str] = &["authentication"];
    const IAM: &[&str] = &["iam"];
    const FILE: &[&str] = &["file"];
    const SESSION: &[&str] = &["session"];

    let (category, types): (&[&str], Option<&[&str]>) = match action {
        "AssumeRole" | "ConsoleLogin" => (AUTHENTICATION, Some(&["info"])),
        "AddUserToGroup"
        | "AttachGroupPolicy"
        | "DeleteGroupPolicy"
        | "DetachGroupPolicy"
        | "PutGroupPolicy"
        | "RemoveUserFromGroup"
        | "UpdateGroup" => (IAM, Some(&["group", "change"])),
        "AttachUserPolicy"
        | "ChangePassword"
        | "CreateAccessKey"
        | "CreateVirtualMFADevice"
        | "DeactivateMFADevice"
        | "DeleteAccessKey"
        | "DeleteSSHPublicKey"
        | "DeleteUserPermissionsBoundary"
        | "DeleteUserPolicy"
        | "DeleteVirtualMFADevice"
        | "DetachUserPolicy"
        | "EnableMFADevice"
        | "PutUserPermissionsBoundary"
        | "PutUserPolicy"
        | "TagUser"
        | "UntagUser"
        | "UpdateAccessKey"
        | "UpdateLoginProfile"
        | "UpdateSSHPublicKey"
        | "UpdateUser" => (IAM, Some(&["user", "change"])),
        "CreateGroup" => (IAM, Some(&["group", "creation"])),
        "CreateUser" => (IAM, Some(&["user", "creation"])),
        "DeleteGroup" => (IAM, Some(&["group", "deletion"])),
        "DeleteUser" => (IAM, Some(&["user", "deletion"])),
        "CreateKeyPair" => (IAM, Some(&["admin", "creation"])),
        "SetDefaultPolicyVersion"
        | "SetSecurityTokenServicePreferences"
        | "UpdateAccountPasswordPolicy"
        | "UpdateRole" => (IAM, Some(&["admin", "change"])),
        "GetGroup"
        | "GetGroupPolicy"
        | "ListAttachedGroupPolicies"
        | "ListGroupPolicies"
        | "ListGroups" => (IAM, Some(&["group", "info"])),
        "GetUser"
        | "GetUserPolicy"
        | "ListAttachedUserPolicies"
        | "ListGroupsForUser"
        | "ListUserPolicies"
        | "ListUsers"
        | "ListUserTags" => (IAM, Some(&["user", "info"])),
        "AttachRolePolicy" => (IAM, Some(&["change"])),
        "GetPolicy" | "ListAttachedRolePolicies" => (IAM, Some(&["info"])),
        "CreateBucket" | "CreateDocument" => (FILE, Some(&["creation"])),
        "DeleteBucket" => (FILE, Some(&["deletion"])),
        "AuthorizeSecurityGroupIngress" => (&["network"], Some(&["access"])),
        "CreateControlChannel" | "StartSession" => (SESSION, Some(&["start"])),
        "SendCommand" => (&["process"], None),
        _ => return None,
    };
    Some(Categories { category, types })
}

/// `event.outcome`: `failure` when the record carries an error code or message, `success`
/// otherwise; a console login says itself whether it succeeded (`responseElements.ConsoleLogin`
/// is `Success` or `Failure`), which is lower-cased.
pub fn outcome(failed: bool, console_login_result: Option<&str>) -> String {
    match console_login_result {
        Some(result) => result.to_lowercase(),
        None if failed => "failure".to_owned(),
        None => "success".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Expected = Option<(&'static [&'static str], Option<&'static [&'static str]>)>;

    #[test]
    fn calls_are_categorized_as_the_integration_does() {
        let cases: [(&str, Expected); 6] = [
            ("CreateUser", Some((&["iam"], Some(&["user", "creation"])))),
            ("ConsoleLogin", Some((&["authentication"], Some(&["info"])))),
            ("UpdateGroup", Some((&["iam"], Some(&["group", "change"])))),
            ("SendCommand", Some((&["process"], None))),
            ("GetCallerIdentity", None),
            ("createuser", None),
        ];
        for (action, expected) in cases {
            let found = categories(action).map(|c| (c.category, c.types));
            assert_eq!(found, expected, "{action}");
        }
    }

    #[test]
    fn console_login_reports_its_own_outcome() {
        assert_eq!(outcome(false, None), "success");
        assert_eq!(outcome(true, None), "failure");
        assert_eq!(outcome(true, Some("Success")), "success");
        assert_eq!(outcome(false, Some("Failure")), "failure");
    }
}
