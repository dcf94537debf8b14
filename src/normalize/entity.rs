//! `related.entity`: the identities and resources an event names, for pivoting between events.
//!
//! Every event contributes its caller (ARN, access key, user name, session issuer, identity
//! provider) and the ARNs of its `resources`; a list of API calls adds what their request or
//! response names, such as the role an `AssumeRole` call assumed or the key a `DisableKey` call
//! disabled. The list of calls and fields is the one Elastic's CloudTrail pipeline uses.

use serde_json::Value;

use crate::field;

/// Fields of the record every event takes entities from.
const CALLER: &[&str] = &[
    "userIdentity.arn",
    "userIdentity.accessKeyId",
    "userIdentity.userName",
    "userIdentity.identityProvider",
    "userIdentity.sessionContext.sessionIssuer.arn",
    "userIdentity.sessionContext.sessionIssuer.userName",
    "userIdentity.sessionContext.webIdFederationData.federatedProvider",
    "resources.ARN",
];

/// The entities of `record` (already stripped of empty values), distinct, in the order found.
///
/// A field that holds an array contributes each of its values, and a path through an array of
/// objects reaches into every element, so `responseElements.instancesSet.items.instanceId` names
/// every instance a call started.
pub fn entities(record: &Value, action: Option<&str>) -> Vec<String> {
    let by_action = action.map_or(&[][..], fields_for);
    let mut found: Vec<String> = Vec::new();
    for path in CALLER.iter().chain(by_action) {
        for value in field::values(record, path) {
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                Value::Bool(flag) => flag.to_string(),
                Value::Null | Value::Array(_) | Value::Object(_) => continue,
            };
            if !text.is_empty() && !found.contains(&text) {
                found.push(text);
            }
        }
    }
    found
}

/// The request and response fields that name entities for the API call `action`.
fn fields_for(action: &str) -> &'static [&'static str] {
    // Lambda's event names carry an API version (`UpdateFunctionCode20150331v2`).
    for (prefix, fields) in [
        ("UpdateFunctionCode", UPDATE_FUNCTION_CODE),
        ("CreateFunction", CREATE_FUNCTION),
        ("DeleteFunction", &["requestParameters.functionName"][..]),
    ] {
        if action.starts_with(prefix) {
            return fields;
        }
    }

    match action {
        "ConsoleLogin" => &["additionalEventData.MFAIdentifier"],
        "AssumeRole" => &[
            "additionalEventData.MFAIdentifier",
            "requestParameters.roleArn",
            "responseElements.assumedRoleUser.arn",
            "requestParameters.roleSessionName",
            "sourceIdentity",
        ],
        "GetSessionToken" => &["responseElements.accessKeyId"],
        "CreateAccessKey" => &[
            "requestParameters.userName",
            "responseElements.accessKey.userName",
            "responseElements.accessKey.accessKeyId",
        ],
        "DeleteAccessKey" | "UpdateAccessKey" => &[
            "requestParameters.userName",
            "requestParameters.accessKeyId",
        ],
        "CreateUser" => &[
            "responseElements.user.arn",
            "responseElements.user.userName",
            "responseElements.userId",
        ],
        "DeleteUser" => &["requestParameters.userName"],
        "AttachRolePolicy" | "DetachRolePolicy" => {
            &["requestParameters.policyArn", "requestParameters.roleName"]
        }
        "PutUserPolicy" | "DeleteUserPolicy" => {
            &["requestParameters.userName", "requestParameters.policyName"]
        }
        "CreateRole" => &["responseElements.role.arn", "requestParameters.roleName"],
        "DeleteRole" => &["requestParameters.roleName"],
        "AuthorizeSecurityGroupIngress" => &[
            "responseElements.securityGroupRuleSet.items.groupId",
            "responseElements.securityGroupRuleSet.items.referencedGroupInfo.groupId",
            "responseElements.securityGroupRuleSet.items.securityGroupRuleId",
            "requestParameters.groupId",
        ],
        "CreateSecurityGroup" => &["responseElements.groupId", "requestParameters.groupName"],
        "RunInstances" => RUN_INSTANCES,
        "RevokeSecurityGroupIngress" => &[
            "requestParameters.roleName",
            "requestParameters.groupId",
            "responseElements.revokedSecurityGroupRuleSet.items.securityGroupRuleId",
            "responseElements.revokedSecurityGroupRuleSet.items.groupId",
        ],
        "CreateVpc" => &[
            "responseElements.vpc.vpcId",
            "responseElements.vpc.dhcpOptionsId",
        ],
        "DeleteVpc" => &["requestParameters.vpcId"],
        "CreateSubnet" | "DeleteSubnet" => &["requestParameters.subnetId"],
        "TerminateInstances" | "StopInstances" => &[
            "requestParameters.instancesSet.items.instanceId",
            "responseElements.instancesSet.items.instanceId",
        ],
        "DescribeInstances" | "DescribeTrails" => {
            &["requestParameters.instancesSet.items.instanceId"]
        }
        "CreateSnapshot" => &[
            "requestParameters.volumeId",
            "responseElements.snapshotId",
            "responseElements.volumeId",
        ],
        "DeleteSnapshot" => &["requestParameters.snapshotId"],
        "CreateNetworkInterface" => &[
            "requestParameters.groupSet.items.groupId",
            "requestParameters.subnetId",
        ],
        "DeleteNetworkInterface" => &["requestParameters.networkInterfaceId"],
        "PutBucketPolicy"
        | "DeleteBucketPublicAccessBlock"
        | "CreateBucket"
        | "DeleteBucketPolicy"
        | "PutBucketLogging"
        | "DeleteBucketLifecycle"
        | "PutBucketAcl"
        | "PutBucketVersioning" => &["requestParameters.bucketName"],
        // The integration reads the trail's name and bucket from `requestElements`, a key
        // CloudTrail never writes, so only the response's names count; doing the same keeps a
        // search on `related.entity` finding the same events here as in Elasticsearch.
        "CreateTrail" => &[
            "requestElements.name",
            "requestElements.s3BucketName",
            "responseElements.cloudWatchLogsLogGroupArn",
            "responseElements.cloudWatchLogsRoleArn",
            "responseElements.kmsKeyId",
            "responseElements.snsTopicARN",
            "responseElements.trailARN",
            "responseElements.name",
        ],
        "StopLogging" | "DeleteTrail" => &["requestParameters.name"],
        "DisableKey" | "EnableKey" | "ScheduleKeyDeletion" => {
            &["requestParameters.keyId", "responseElements.keyId"]
        }
        "CreateKey" => &[
            "responseElements.keyMetadata.arn",
            "responseElements.keyMetadata.keyId",
        ],
        "StartConfigurationRecorder" | "StopConfigurationRecorder" => {
            &["requestParameters.configurationRecorderName"]
        }
        "ModifyDBInstance" => &[
            "requestParameters.dBInstanceArn",
            "requestParameters.dBInstanceIdentifier",
        ],
        "CreateDBInstance" | "DeleteDBInstance" => &[
            "requestParameters.dBInstanceIdentifier",
            "responseElements.dBInstanceIdentifier",
            "responseElements.dbInstanceArn",
            "responseElements.dBSubnetGroup.subnets.subnetIdentifier",
            "responseElements.dBSubnetGroup.vpcId",
            "responseElements.vpcSecurityGroups.vpcSecurityGroupId",
        ],
        _ => &[],
    }
}

const UPDATE_FUNCTION_CODE: &[&str] = &[
    "requestParameters.functionName",
    "responseElements.functionArn",
    "responseElements.functionName",
    "responseElements.role",
];

const CREATE_FUNCTION: &[&str] = &[
    "requestParameters.functionName",
    "responseElements.functionName",
    "responseElements.kmsKeyArn",
    "responseElements.role",
    "responseElements.vpcConfig.securityGroupIds",
    "responseElements.vpcConfig.subnetIds",
];

const RUN_INSTANCES: &[&str] = &[
    "requestParameters.instancesSet.items.imageId",
    "requestParameters.networkInterfaceSet.items.groupSet.items.groupId",
    "responseElements.instancesSet.items.networkInterfaceSet.items.networkInterfaceId",
    "responseElements.instancesSet.items.networkInterfaceSet.items.vpcId",
    "responseElements.instancesSet.items.subnetId",
    "responseElements.instancesSet.items.groupSet.items.groupId",
    "responseElements.instancesSet.items.networkInterfaceSet.items.subnetId",
    "responseElements.reservationId",
    "responseElements.instancesSet.items.vpcId",
    "responseElements.instancesSet.items.instanceId",
    "responseElements.instancesSet.items.imageId",
    "responseElements.instancesSet.items.networkInterfaceSet.items.groupSet.items.groupId",
    "responseElements.instancesSet.items.iamInstanceProfile.arn",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn callers_resources_and_call_specific_fields_are_collected_once() {
        let record = json!({
            "userIdentity": {
                "arn": "arn:aws:sts::111122223333:assumed-role/deploy/ci",
                "accessKeyId": "ASIAEXAMPLEKEY",
                "sessionContext": {"sessionIssuer": {
                    "arn": "arn:aws:iam::111122223333:role/deploy", "userName": "deploy"
                }}
            },
            "resources": [{"ARN": "arn:aws:iam::111122223333:role/target"}, {"type": "x"}],
            "requestParameters": {
                "roleArn": "arn:aws:iam::111122223333:role/target",
                "roleSessionName": "ci"
            },
            "responseElements": {
                "instancesSet": {"items": [{"instanceId": "i-1"}, {"instanceId": "i-2"}]}
            }
        });
        assert_eq!(
            entities(&record, Some("AssumeRole")),
            [
                "arn:aws:sts::111122223333:assumed-role/deploy/ci",
                "ASIAEXAMPLEKEY",
                "arn:aws:iam::111122223333:role/deploy",
                "deploy",
                "arn:aws:iam::111122223333:role/target",
                "ci",
            ]
        );
        assert_eq!(
            entities(&record, Some("TerminateInstances"))
                .last()
                .map(String::as_str),
            Some("i-2")
        );
        assert_eq!(entities(&record, None).len(), 5);
    }

    #[test]
    fn versioned_lambda_calls_use_their_family() {
        assert_eq!(fields_for("CreateFunction20150331"), CREATE_FUNCTION);
        assert!(fields_for("GetCallerIdentity").is_empty());
    }
}
