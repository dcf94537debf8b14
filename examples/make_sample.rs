//! Writes the bundled sample, `examples/sample.ndjson`: ECS events as Elastic's AWS integration
//! indexes them, each normalized by this crate from a raw CloudTrail record written below.
//!
//! Run `cargo run --example make_sample > examples/sample.ndjson`; a test checks that the
//! committed file is what this program writes.
//!
//! The story, 2026-11-20 to 2026-12-01, account 111122223333:
//! - alice gets an MFA session token and manages IAM users with it from her usual address; the
//!   same key later shows up from another address and tool (a stolen session). She comes back
//!   nine days after her first call: a new term again for the 7-day versions, a repeat for the
//!   14-day ones.
//! - bob works in the console: his console-issued key is flagged, so v4 and v5 stay quiet.
//! - carol uses a long-term `AKIA` key; dave's temporary key is denied; erin's key is used by
//!   AWS internally; CloudFormation acts on frank's behalf; a CI job's OIDC token becomes a
//!   runner role that assumes a deploy role (a chain of issuers); the root user signs in;
//!   ingest through a generic pipeline lands one event in another dataset. grace's, heidi's and ivan's only matches are AWS-internal, console and
//!   CloudFormation calls, which the tunings of v3 and v4 remove. Every clause of every
//!   version passes somewhere and fails somewhere.

use cloudtrail_triage::field;
use cloudtrail_triage::normalize::normalize_record;
use cloudtrail_triage::time;
use serde_json::{Value, json};

const ACCOUNT: &str = "111122223333";

struct Who {
    kind: &'static str,
    name: &'static str,
    principal: &'static str,
    arn: String,
}

fn user(name: &'static str, principal: &'static str) -> Who {
    Who {
        kind: "IAMUser",
        name,
        principal,
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
    }
}

/// A call as CloudTrail records it.
struct Call<'a> {
    who: &'a Who,
    key: &'a str,
    time: &'a str,
    source: &'a str,
    event_source: &'a str,
    name: &'a str,
    agent: &'a str,
    request: Value,
    response: Value,
}

const CLI: &str = "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0 md/arch#x86_64 \
                   lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard";
const BOTO: &str = "Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#5.15.0 md/arch#x86_64 \
                    lang/python#3.9.16 md/pyimpl#CPython";
const BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
                       (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

fn record(call: &Call<'_>, serial: u32) -> Value {
    let mut identity = json!({
        "type": call.who.kind,
        "principalId": call.who.principal,
        "arn": call.who.arn,
        "accountId": ACCOUNT,
        "accessKeyId": call.key,
    });
    if call.who.kind == "IAMUser" {
        identity["userName"] = json!(call.who.name);
    }
    json!({
        "eventVersion": "1.10",
        "userIdentity": identity,
        "eventTime": call.time,
        "eventSource": call.event_source,
        "eventName": call.name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": call.source,
        "userAgent": call.agent,
        "requestParameters": call.request,
        "responseElements": call.response,
        "requestID": format!("5a1e{serial:04}-3c2b-4d1e-9f70-0c1d2e3f4a5b"),
        "eventID": format!("e7{serial:06}-6b8e-4f0c-8d3a-2b1c0d9e8f7a"),
        "readOnly": call.name.starts_with("Get") || call.name.starts_with("List"),
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": call.event_source.replace("amazonaws.com", "us-east-1.amazonaws.com")
        }
    })
}

/// The sample's events, one JSON text each, in time order.
pub fn sample_lines() -> Vec<String> {
    let alice = user("alice", "AIDAALICEEXAMPLE00001");
    let bob = user("bob", "AIDABOBEXAMPLE0000002");
    let carol = user("carol", "AIDACAROLEXAMPLE00003");
    let dave = user("dave", "AIDADAVEEXAMPLE000004");
    let erin = user("erin", "AIDAERINEXAMPLE000005");
    let frank = user("frank", "AIDAFRANKEXAMPLE00006");
    let root = Who {
        kind: "Root",
        name: "root",
        principal: ACCOUNT,
        arn: format!("arn:aws:iam::{ACCOUNT}:root"),
    };
    let ci = Who {
        kind: "AssumedRole",
        name: "ci",
        principal: "AROACIROLEEXAMPLE0001:deploy-4711",
        arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/ci-deploy/deploy-4711"),
    };

    let alice_key = "ASIAALICESESSION0001";
    let bob_key = "ASIABOBCONSOLE000002";
    let dave_key = "ASIADAVESESSION00004";
    let erin_key = "ASIAERININTERNAL0005";
    let frank_key = "ASIAFRANKSESSION0006";
    let ci_key = "ASIACIDEPLOYROLE0007";
    let alice_later = "ASIAALICESESSION0008";

    let iam = "iam.amazonaws.com";
    let sts = "sts.amazonaws.com";
    let none = Value::Null;
    let user_req = |name: &str| json!({"userName": name});

    let mut records: Vec<(Value, Extra)> = Vec::new();
    let mut push = |call: Call<'_>, extra: Extra| {
        let serial = records.len() as u32 + 1;
        records.push((record(&call, serial), extra));
    };
    let plain = Extra::default;

    // alice: an MFA session token, then IAM work from her office.
    push(
        Call {
            who: &alice,
            key: "AKIAALICELONGTERM001",
            time: "2026-11-20T08:58:02Z",
            source: "203.0.113.10",
            event_source: sts,
            name: "GetSessionToken",
            agent: CLI,
            request: json!({"durationSeconds": 43200, "serialNumber": format!("arn:aws:iam::{ACCOUNT}:mfa/alice")}),
            response: json!({"credentials": {"accessKeyId": alice_key, "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE", "expiration": "Nov 20, 2026, 8:58:02 PM"}}),
        },
        plain(),
    );
    for (time, name, request) in [
        (
            "2026-11-20T09:02:11Z",
            "ListUsers",
            json!({"maxItems": 100}),
        ),
        (
            "2026-11-20T09:03:40Z",
            "CreateUser",
            user_req("svc-reporting"),
        ),
        (
            "2026-11-20T09:04:05Z",
            "CreateAccessKey",
            user_req("svc-reporting"),
        ),
        (
            "2026-11-20T09:05:51Z",
            "AttachUserPolicy",
            json!({"userName": "svc-reporting", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        ),
    ] {
        push(
            Call {
                who: &alice,
                key: alice_key,
                time,
                source: "203.0.113.10",
                event_source: iam,
                name,
                agent: CLI,
                request,
                response: none.clone(),
            },
            plain(),
        );
    }
    push(
        Call {
            who: &alice,
            key: alice_key,
            time: "2026-11-20T09:07:30Z",
            source: "203.0.113.10",
            event_source: "s3.amazonaws.com",
            name: "ListBuckets",
            agent: CLI,
            request: json!({"Host": "s3.us-east-1.amazonaws.com"}),
            response: none.clone(),
        },
        plain(),
    );
    // The same key, hours later, from elsewhere and another tool.
    for (time, name, request) in [
        ("2026-11-20T17:41:09Z", "ListAccessKeys", user_req("alice")),
        (
            "2026-11-20T17:42:30Z",
            "CreateLoginProfile",
            json!({"userName": "svc-reporting", "passwordResetRequired": false}),
        ),
        (
            "2026-11-20T17:43:02Z",
            "PutUserPolicy",
            json!({"userName": "svc-reporting", "policyName": "inline-admin", "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}),
        ),
    ] {
        push(
            Call {
                who: &alice,
                key: alice_key,
                time,
                source: "198.51.100.77",
                event_source: iam,
                name,
                agent: BOTO,
                request,
                response: none.clone(),
            },
            plain(),
        );
    }
    push(
        Call {
            who: &alice,
            key: alice_key,
            time: "2026-11-21T10:15:00Z",
            source: "203.0.113.10",
            event_source: iam,
            name: "GetUser",
            agent: CLI,
            request: user_req("svc-reporting"),
            response: none.clone(),
        },
        plain(),
    );

    // alice, nine days after her first IAM call, with a fresh session.
    push(
        Call {
            who: &alice,
            key: "AKIAALICELONGTERM001",
            time: "2026-11-29T09:00:12Z",
            source: "203.0.113.10",
            event_source: sts,
            name: "GetSessionToken",
            agent: CLI,
            request: json!({"durationSeconds": 3600, "serialNumber": format!("arn:aws:iam::{ACCOUNT}:mfa/alice")}),
            response: json!({"credentials": {"accessKeyId": alice_later, "sessionToken": "IQoJb3JpZ2luX2VjLATER", "expiration": "Nov 29, 2026, 10:00:12 AM"}}),
        },
        plain(),
    );
    for (time, name) in [
        ("2026-11-29T09:03:33Z", "DeleteLoginProfile"),
        ("2026-11-29T09:04:10Z", "DeleteAccessKey"),
    ] {
        push(
            Call {
                who: &alice,
                key: alice_later,
                time,
                source: "203.0.113.10",
                event_source: iam,
                name,
                agent: CLI,
                request: user_req("svc-reporting"),
                response: none.clone(),
            },
            plain(),
        );
    }

    // bob: a console login; the console's calls carry sessionCredentialFromConsole.
    push(
        Call {
            who: &bob,
            key: "",
            time: "2026-11-21T14:00:03Z",
            source: "192.0.2.44",
            event_source: "signin.amazonaws.com",
            name: "ConsoleLogin",
            agent: BROWSER,
            request: none.clone(),
            response: json!({"ConsoleLogin": "Success"}),
        },
        Extra {
            login: Some(true),
            ..Extra::default()
        },
    );
    for (time, name, request) in [
        ("2026-11-21T14:02:45Z", "ListRoles", json!({"maxItems": 50})),
        (
            "2026-11-21T14:05:12Z",
            "CreateRole",
            json!({"roleName": "lambda-exec", "assumeRolePolicyDocument": "{\"Version\":\"2012-10-17\"}"}),
        ),
        (
            "2026-11-21T14:06:30Z",
            "AttachRolePolicy",
            json!({"roleName": "lambda-exec", "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}),
        ),
        (
            "2026-11-24T09:12:00Z",
            "UpdateRole",
            json!({"roleName": "lambda-exec", "maxSessionDuration": 7200}),
        ),
    ] {
        push(
            Call {
                who: &bob,
                key: bob_key,
                time,
                source: "192.0.2.44",
                event_source: iam,
                name,
                agent: BROWSER,
                request,
                response: none.clone(),
            },
            Extra {
                console: true,
                ..Extra::default()
            },
        );
    }
    push(
        Call {
            who: &bob,
            key: bob_key,
            time: "2026-11-21T14:09:00Z",
            source: "192.0.2.44",
            event_source: "lambda.amazonaws.com",
            name: "ListFunctions20150331",
            agent: BROWSER,
            request: none.clone(),
            response: none.clone(),
        },
        Extra {
            console: true,
            ..Extra::default()
        },
    );

    // carol: a long-term key.
    for (time, name) in [
        ("2026-11-22T11:00:00Z", "CreateGroup"),
        ("2026-11-22T11:01:00Z", "AddUserToGroup"),
        ("2026-11-25T16:30:00Z", "ListGroups"),
    ] {
        push(
            Call {
                who: &carol,
                key: "AKIACAROLLONGTERM003",
                time,
                source: "203.0.113.25",
                event_source: iam,
                name,
                agent: CLI,
                request: json!({"groupName": "auditors"}),
                response: none.clone(),
            },
            plain(),
        );
    }

    // dave: a temporary key without the rights he tries to use.
    for (time, name) in [
        ("2026-11-23T02:14:51Z", "CreateUser"),
        ("2026-11-23T02:15:09Z", "AttachUserPolicy"),
    ] {
        push(
            Call {
                who: &dave,
                key: dave_key,
                time,
                source: "185.220.101.4",
                event_source: iam,
                name,
                agent: BOTO,
                request: user_req("backup-admin"),
                response: none.clone(),
            },
            Extra {
                denied: true,
                ..Extra::default()
            },
        );
    }
    push(
        Call {
            who: &dave,
            key: dave_key,
            time: "2026-11-23T02:13:30Z",
            source: "185.220.101.4",
            event_source: sts,
            name: "GetCallerIdentity",
            agent: BOTO,
            request: none.clone(),
            response: none.clone(),
        },
        plain(),
    );

    // erin: AWS uses her session internally.
    for (time, name) in [
        ("2026-11-24T03:00:00Z", "GetAccountSummary"),
        ("2026-11-24T03:00:02Z", "ListPolicies"),
        ("2026-11-26T03:00:01Z", "GetAccountSummary"),
    ] {
        push(
            Call {
                who: &erin,
                key: erin_key,
                time,
                source: "AWS Internal",
                event_source: iam,
                name,
                agent: "AWS Internal",
                request: none.clone(),
                response: none.clone(),
            },
            plain(),
        );
    }

    // frank: CloudFormation creates roles on his behalf.
    for (time, name) in [
        ("2026-11-25T10:20:00Z", "CreateRole"),
        ("2026-11-25T10:20:04Z", "PutRolePolicy"),
        ("2026-11-25T10:21:00Z", "TagRole"),
    ] {
        push(
            Call {
                who: &frank,
                key: frank_key,
                time,
                source: "cloudformation.amazonaws.com",
                event_source: iam,
                name,
                agent: "cloudformation.amazonaws.com",
                request: json!({"roleName": "app-stack-Role-1X2Y3Z"}),
                response: none.clone(),
            },
            Extra {
                invoked_by: Some("cloudformation.amazonaws.com"),
                ..Extra::default()
            },
        );
    }
    // frank himself, from his laptop.
    push(
        Call {
            who: &frank,
            key: frank_key,
            time: "2026-11-25T10:30:00Z",
            source: "2001:db8:4::17",
            event_source: iam,
            name: "GetRole",
            agent: CLI,
            request: json!({"roleName": "app-stack-Role-1X2Y3Z"}),
            response: none.clone(),
        },
        plain(),
    );

    // A CI job: its OIDC token becomes the runner role's key, the runner role assumes the
    // deploy role, and the deploy role manages IAM: a chain of two issuers.
    let runner = Who {
        kind: "AssumedRole",
        name: "ci-runner",
        principal: "AROACIRUNNEREXAMPLE01:gha-run-88",
        arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/ci-runner/gha-run-88"),
    };
    let github = Who {
        kind: "WebIdentityUser",
        name: "repo:example-org/app:ref:refs/heads/main",
        principal: "token.actions.githubusercontent.com:sts.amazonaws.com:repo:example-org/app",
        arn: String::new(),
    };
    push(
        Call {
            who: &github,
            key: "",
            time: "2026-11-26T11:59:30Z",
            source: "198.51.100.200",
            event_source: sts,
            name: "AssumeRoleWithWebIdentity",
            agent: "aws-sdk-nodejs/2.1692.0 linux/v20.18.0 configure-aws-credentials-for-github",
            request: json!({"roleArn": format!("arn:aws:iam::{ACCOUNT}:role/ci-runner"), "roleSessionName": "gha-run-88", "durationSeconds": 3600}),
            response: json!({"credentials": {"accessKeyId": "ASIACIRUNNERKEY00009", "sessionToken": "IQoJb3JpZ2luX2VjRUNNER", "expiration": "Nov 26, 2026, 12:59:30 PM"}, "assumedRoleUser": {"assumedRoleId": "AROACIRUNNEREXAMPLE01:gha-run-88", "arn": runner.arn.clone()}, "provider": format!("arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com")}),
        },
        plain(),
    );
    push(
        Call {
            who: &runner,
            key: "ASIACIRUNNERKEY00009",
            time: "2026-11-26T12:00:00Z",
            source: "198.51.100.200",
            event_source: sts,
            name: "AssumeRole",
            agent: BOTO,
            request: json!({"roleArn": format!("arn:aws:iam::{ACCOUNT}:role/ci-deploy"), "roleSessionName": "deploy-4711", "durationSeconds": 900}),
            response: json!({"credentials": {"accessKeyId": ci_key, "sessionToken": "IQoJb3JpZ2luX2VjCIDEPLOY", "expiration": "Nov 26, 2026, 12:15:00 PM"}, "assumedRoleUser": {"assumedRoleId": "AROACIROLEEXAMPLE0001:deploy-4711", "arn": ci.arn.clone()}}),
        },
        plain(),
    );
    for (time, name) in [
        ("2026-11-26T12:01:00Z", "CreatePolicyVersion"),
        ("2026-11-26T12:01:30Z", "SetDefaultPolicyVersion"),
    ] {
        push(
            Call {
                who: &ci,
                key: ci_key,
                time,
                source: "198.51.100.200",
                event_source: iam,
                name,
                agent: BOTO,
                request: json!({"policyArn": format!("arn:aws:iam::{ACCOUNT}:policy/app")}),
                response: none.clone(),
            },
            Extra {
                role_session: true,
                ..Extra::default()
            },
        );
    }

    // The root user signs in and looks around.
    push(
        Call {
            who: &root,
            key: "",
            time: "2026-11-27T07:45:00Z",
            source: "192.0.2.99",
            event_source: "signin.amazonaws.com",
            name: "ConsoleLogin",
            agent: BROWSER,
            request: none.clone(),
            response: json!({"ConsoleLogin": "Success"}),
        },
        Extra {
            login: Some(true),
            ..Extra::default()
        },
    );
    push(
        Call {
            who: &root,
            key: "ASIAROOTCONSOLE00010",
            time: "2026-11-27T07:46:10Z",
            source: "192.0.2.99",
            event_source: iam,
            name: "GetAccountPasswordPolicy",
            agent: BROWSER,
            request: none.clone(),
            response: none.clone(),
        },
        Extra {
            console: true,
            ..Extra::default()
        },
    );

    // An otherwise alerting call, ingested by a generic pipeline into another dataset.
    push(
        Call {
            who: &frank,
            key: "ASIAFRANKGENERIC0011",
            time: "2026-11-28T18:00:00Z",
            source: "203.0.113.50",
            event_source: iam,
            name: "CreateServiceLinkedRole",
            agent: CLI,
            request: json!({"aWSServiceName": "elasticbeanstalk.amazonaws.com"}),
            response: none.clone(),
        },
        Extra {
            dataset: Some("aws_logs.generic"),
            ..Extra::default()
        },
    );

    // Later alerting calls by people seen before, and a failed console login.
    push(
        Call {
            who: &dave,
            key: "ASIADAVESESSION00012",
            time: "2026-11-30T13:00:00Z",
            source: "203.0.113.77",
            event_source: iam,
            name: "ListMFADevices",
            agent: CLI,
            request: user_req("dave"),
            response: none.clone(),
        },
        plain(),
    );
    push(
        Call {
            who: &erin,
            key: "ASIAERINSESSION00013",
            time: "2026-12-01T08:00:00Z",
            source: "203.0.113.88",
            event_source: iam,
            name: "UpdateAccessKey",
            agent: CLI,
            request: json!({"accessKeyId": "AKIAERINOLDKEY000001", "status": "Inactive"}),
            response: none.clone(),
        },
        plain(),
    );
    push(
        Call {
            who: &carol,
            key: "",
            time: "2026-12-01T09:00:00Z",
            source: "192.0.2.150",
            event_source: "signin.amazonaws.com",
            name: "ConsoleLogin",
            agent: BROWSER,
            request: none.clone(),
            response: json!({"ConsoleLogin": "Failure"}),
        },
        Extra {
            login: Some(false),
            ..Extra::default()
        },
    );

    // Everyday work that fills the days in between.
    for (time, name) in [
        ("2026-11-21T08:30:00Z", "ListGroupsForUser"),
        ("2026-11-21T08:31:10Z", "GetLoginProfile"),
        ("2026-11-21T09:10:00Z", "ListPolicies"),
    ] {
        push(
            Call {
                who: &alice,
                key: alice_key,
                time,
                source: "203.0.113.10",
                event_source: iam,
                name,
                agent: CLI,
                request: user_req("svc-reporting"),
                response: none.clone(),
            },
            plain(),
        );
    }
    push(
        Call {
            who: &carol,
            key: "AKIACAROLLONGTERM003",
            time: "2026-11-29T11:00:00Z",
            source: "203.0.113.25",
            event_source: iam,
            name: "GetUser",
            agent: CLI,
            request: user_req("carol"),
            response: none.clone(),
        },
        plain(),
    );
    push(
        Call {
            who: &ci,
            key: ci_key,
            time: "2026-11-26T12:02:10Z",
            source: "198.51.100.200",
            event_source: iam,
            name: "ListRoles",
            agent: BOTO,
            request: json!({"maxItems": 100}),
            response: none.clone(),
        },
        Extra {
            role_session: true,
            ..Extra::default()
        },
    );
    push(
        Call {
            who: &frank,
            key: frank_key,
            time: "2026-11-25T10:22:00Z",
            source: "cloudformation.amazonaws.com",
            event_source: iam,
            name: "DeleteRole",
            agent: "cloudformation.amazonaws.com",
            request: json!({"roleName": "app-stack-OldRole-9Z8Y"}),
            response: none.clone(),
        },
        Extra {
            invoked_by: Some("cloudformation.amazonaws.com"),
            ..Extra::default()
        },
    );
    push(
        Call {
            who: &bob,
            key: bob_key,
            time: "2026-11-21T14:12:00Z",
            source: "192.0.2.44",
            event_source: iam,
            name: "ListUsers",
            agent: BROWSER,
            request: json!({"maxItems": 100}),
            response: none.clone(),
        },
        Extra {
            console: true,
            ..Extra::default()
        },
    );
    push(
        Call {
            who: &erin,
            key: erin_key,
            time: "2026-11-28T03:00:02Z",
            source: "AWS Internal",
            event_source: iam,
            name: "GetAccountSummary",
            agent: "AWS Internal",
            request: none.clone(),
            response: none.clone(),
        },
        plain(),
    );
    push(
        Call {
            who: &dave,
            key: "ASIADAVESESSION00012",
            time: "2026-11-30T13:02:00Z",
            source: "203.0.113.77",
            event_source: iam,
            name: "ListAccessKeys",
            agent: CLI,
            request: user_req("dave"),
            response: none.clone(),
        },
        plain(),
    );

    // Users whose only matches the tunings remove: AWS acting internally with grace's key,
    // CloudFormation acting for ivan, and heidi working only in the console.
    let grace = user("grace", "AIDAGRACEEXAMPLE00007");
    let heidi = user("heidi", "AIDAHEIDIEXAMPLE00008");
    let ivan = user("ivan", "AIDAIVANEXAMPLE000009");
    for (time, name) in [
        ("2026-11-27T03:10:00Z", "GetAccountAuthorizationDetails"),
        ("2026-11-27T03:10:05Z", "ListEntitiesForPolicy"),
    ] {
        push(
            Call {
                who: &grace,
                key: "ASIAGRACEINTERNAL014",
                time,
                source: "AWS Internal",
                event_source: iam,
                name,
                agent: "AWS Internal",
                request: none.clone(),
                response: none.clone(),
            },
            plain(),
        );
    }
    push(
        Call {
            who: &heidi,
            key: "",
            time: "2026-11-28T08:55:00Z",
            source: "192.0.2.61",
            event_source: "signin.amazonaws.com",
            name: "ConsoleLogin",
            agent: BROWSER,
            request: none.clone(),
            response: json!({"ConsoleLogin": "Success"}),
        },
        Extra {
            login: Some(true),
            ..Extra::default()
        },
    );
    for (time, name) in [
        ("2026-11-28T09:01:00Z", "ListUsers"),
        ("2026-11-28T09:03:30Z", "UpdateUser"),
    ] {
        push(
            Call {
                who: &heidi,
                key: "ASIAHEIDICONSOLE0015",
                time,
                source: "192.0.2.61",
                event_source: iam,
                name,
                agent: BROWSER,
                request: user_req("intern-2026"),
                response: none.clone(),
            },
            Extra {
                console: true,
                ..Extra::default()
            },
        );
    }
    for (time, name) in [
        ("2026-11-30T16:40:00Z", "CreateInstanceProfile"),
        ("2026-11-30T16:40:03Z", "AddRoleToInstanceProfile"),
    ] {
        push(
            Call {
                who: &ivan,
                key: "ASIAIVANSESSION00016",
                time,
                source: "cloudformation.amazonaws.com",
                event_source: iam,
                name,
                agent: "cloudformation.amazonaws.com",
                request: json!({"instanceProfileName": "web-stack-Profile-4Q2W"}),
                response: none.clone(),
            },
            Extra {
                invoked_by: Some("cloudformation.amazonaws.com"),
                ..Extra::default()
            },
        );
    }

    records.sort_by(|a, b| a.0["eventTime"].as_str().cmp(&b.0["eventTime"].as_str()));
    records
        .into_iter()
        .map(|(record, extra)| finish(record, &extra).to_string())
        .collect()
}

#[allow(dead_code)]
fn main() {
    for line in sample_lines() {
        println!("{line}");
    }
}

/// What distinguishes a call beyond its fields.
#[derive(Default)]
struct Extra {
    console: bool,
    denied: bool,
    role_session: bool,
    login: Option<bool>,
    invoked_by: Option<&'static str>,
    dataset: Option<&'static str>,
}

fn finish(mut record: Value, extra: &Extra) -> Value {
    let identity = &mut record["userIdentity"];
    if let Some(map) = identity.as_object_mut() {
        for field in ["accessKeyId", "arn"] {
            if map.get(field).is_some_and(|value| value == "") {
                map.remove(field);
            }
        }
        if map
            .get("type")
            .is_some_and(|kind| kind == "WebIdentityUser")
        {
            map.insert(
                "identityProvider".into(),
                json!("token.actions.githubusercontent.com"),
            );
            map.remove("accountId");
        }
    }
    let created = record["eventTime"].as_str().unwrap_or_default().to_owned();
    let temporary = record["userIdentity"]["accessKeyId"]
        .as_str()
        .is_some_and(|k| k.starts_with("ASIA"));
    if temporary {
        let mfa = if extra.role_session { "false" } else { "true" };
        let mut context = json!({"attributes": {"creationDate": created, "mfaAuthenticated": mfa}});
        if extra.role_session {
            context["sessionIssuer"] = json!({
                "type": "Role",
                "principalId": "AROACIROLEEXAMPLE0001",
                "arn": format!("arn:aws:iam::{ACCOUNT}:role/ci-deploy"),
                "accountId": ACCOUNT,
                "userName": "ci-deploy"
            });
        }
        record["userIdentity"]["sessionContext"] = context;
    }
    if extra.console {
        record["sessionCredentialFromConsole"] = json!("true");
    }
    if extra.denied {
        record["errorCode"] = json!("AccessDenied");
        record["errorMessage"] = json!(format!(
            "User: {} is not authorized to perform: iam:{} on resource: user backup-admin because no identity-based policy allows the iam:{} action",
            record["userIdentity"]["arn"].as_str().unwrap_or_default(),
            record["eventName"].as_str().unwrap_or_default(),
            record["eventName"].as_str().unwrap_or_default()
        ));
    }
    if let Some(service) = extra.invoked_by {
        record["userIdentity"]["invokedBy"] = json!(service);
    }
    if let Some(success) = extra.login {
        record["additionalEventData"] = json!({"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": if success { "Yes" } else { "No" }});
        record["eventType"] = json!("AwsConsoleSignIn");
        if let Some(map) = record.as_object_mut() {
            map.remove("requestParameters");
            map.remove("tlsDetails");
        }
        if !success {
            record["errorMessage"] = json!("Failed authentication");
        }
    }

    let original = record.to_string();
    let mut event = normalize_record(&record, &original).unwrap_or_else(|error| panic!("{error}"));
    let ingested = time::parse(&created).map(|t| time::format(t + 4 * 60 * 1000 + 17_000));
    field::insert(&mut event, "event.ingested", json!(ingested));
    if let Some(dataset) = extra.dataset {
        field::insert(&mut event, "event.dataset", json!(dataset));
        field::insert(&mut event, "data_stream.dataset", json!(dataset));
    }
    event
}
