#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets, one directory per target.

Run from anywhere: `python3 fuzz/seeds/make_seeds.py`. The records are made up here in the
shape CloudTrail writes; the `input` and `normalize` seeds start with the mode byte their
targets read first (see fuzz/fuzz_targets/).
"""

import gzip
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def record(n, **extra):
    rec = {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": f"AIDAEXAMPLE{n:04d}",
            "arn": f"arn:aws:iam::111122223333:user/user{n}",
            "accountId": "111122223333",
            "accessKeyId": f"ASIAEXAMPLE{n:09d}",
            "userName": f"user{n}",
            "sessionContext": {
                "attributes": {"creationDate": "2026-11-20T08:00:00Z", "mfaAuthenticated": "false"}
            },
        },
        "eventTime": f"2026-11-20T09:{n % 60:02d}:40Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": "CreateUser",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-cli/2.22.4 Python/3.12.6 Linux/6.1",
        "requestParameters": {"userName": f"new{n}", "tags": [{"key": "team", "value": "a"}]},
        "responseElements": {"user": {"userName": f"new{n}", "userId": "AIDANEW", "arn": "arn:aws:iam::111122223333:user/new"}},
        "requestID": "11111111-2222-3333-4444-555555555555",
        "eventID": f"00000000-0000-0000-0000-{n:012d}",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "iam.amazonaws.com"},
    }
    rec.update(extra)
    return rec


def compact(value):
    return json.dumps(value, separators=(",", ":"))


RECORDS = [
    record(1),
    record(2, sessionCredentialFromConsole="true"),
    record(3, sourceIPAddress="AWS Internal", userAgent="AWS Internal"),
    record(4, errorCode="AccessDenied", errorMessage="User is not authorized"),
    record(5, eventName="ConsoleLogin", eventSource="signin.amazonaws.com",
           responseElements={"ConsoleLogin": "Success"}, additionalEventData={"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com"}),
    record(6, userIdentity={"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/r/s",
                            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "r"}}}),
    record(7, userIdentity={"type": "AWSService", "invokedBy": "cloudformation.amazonaws.com"}, resources=[{"ARN": "arn:aws:iam::1:role/x", "type": "AWS::IAM::Role"}]),
    record(8, requestParameters={"n": 123456789012345678901234567890, "f": 1.5e300, "z": -0.0, "empty": {}, "list": [None, "", []]}),
]

ECS_EVENT = {
    "@timestamp": "2026-11-20T09:03:40.000Z",
    "data_stream": {"dataset": "aws.cloudtrail"},
    "event": {"dataset": "aws.cloudtrail", "provider": "iam.amazonaws.com", "action": "CreateUser",
              "outcome": "success", "ingested": "2026-11-20T09:04:00Z",
              "original": compact(record(9, sessionCredentialFromConsole="true"))},
    "source": {"ip": "203.0.113.10"},
    "aws": {"cloudtrail": {"user_identity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/user9",
                                              "access_key_id": "ASIAEXAMPLE000000009"}}},
}
FLAT_EVENT = {
    "@timestamp": "2026-11-20T09:03:40Z",
    "event.provider": "iam.amazonaws.com",
    "event.original": "not json",
    "aws.cloudtrail.user_identity.arn": "arn:aws:iam::111122223333:user/flat",
}
DIGEST = {"awsAccountId": "111122223333", "digestStartTime": "2026-11-20T08:00:00Z",
          "digestEndTime": "2026-11-20T09:00:00Z", "digestS3Bucket": "b", "digestS3Object": "o", "logFiles": []}


def shapes():
    """Every input shape the reader accepts, and a few it must refuse one event at a time."""
    ndjson = "".join(compact(r) + "\n" for r in RECORDS[:4])
    records_file = compact({"Records": RECORDS})
    return {
        "ndjson": ndjson.encode(),
        "ndjson_crlf_bom": b"\xef\xbb\xbf" + ndjson.replace("\n", "\r\n\r\n").encode(),
        "array": json.dumps(RECORDS[:3], indent=2).encode(),
        "records": records_file.encode(),
        "records_pretty": json.dumps({"Records": RECORDS[4:]}, indent=1).encode(),
        "records_lines": (compact({"Records": RECORDS[:2]}) + "\n" + compact(ECS_EVENT) + "\n").encode(),
        "records_not_array": b'{"Records": {"eventVersion": "1.08"}}\n' + compact(RECORDS[0]).encode(),
        "ecs": (compact(ECS_EVENT) + "\n" + compact(FLAT_EVENT) + "\n").encode(),
        "single": json.dumps(RECORDS[1], indent=2).encode(),
        "digest": compact(DIGEST).encode(),
        "cut_array": json.dumps(RECORDS[:2])[:-40].encode(),
        "bad_lines": b'{"eventVersion":"1.08","eventName":\n\xff\xfe{}\n[1,2]\n"text"\n[[[[[[[[{}]]]]]]]]\n{"a":1,"a":2}\n',
        "empty": b"",
    }


def write(target, name, data):
    directory = os.path.join(HERE, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as out:
        out.write(data)


def main():
    # input: mode byte 0 reads the bytes as they are, 1 gzips them first, 3 gzips and cuts,
    # 4 applies tiny limits. Ready-made gzip files go in with mode 0.
    for name, data in shapes().items():
        write("input", name, b"\x00" + data)
        write("engine", name, data)
    for name in ["records", "ndjson", "array"]:
        data = shapes()[name]
        write("input", name + "_gz_here", b"\x01" + data)
        write("input", name + "_gz_cut", b"\x03" + data)
        write("input", name + "_tiny", b"\x04" + data)
        compressed = gzip.compress(data, mtime=0)
        write("input", name + ".gz", b"\x00" + compressed)
        write("engine", name + ".gz", compressed)
        write("engine", name + "_cut.gz", compressed[: len(compressed) * 2 // 3])
    write("input", "two_members.gz", b"\x00" + gzip.compress(b'{"a":1}\n', mtime=0) + gzip.compress(b'{"b":2}\n', mtime=0))

    # normalize: mode 0 reads JSON text, mode 2 also puts the value itself in event.original.
    for i, rec in enumerate(RECORDS):
        write("normalize", f"record{i}", b"\x00" + compact(rec).encode())
        write("normalize", f"record{i}_original", b"\x02" + compact(rec).encode())
    write("normalize", "ecs", b"\x00" + compact(ECS_EVENT).encode())
    write("normalize", "digest", b"\x00" + compact(DIGEST).encode())
    write("normalize", "wrong_types", b"\x00" + compact({"eventVersion": 1.08, "userIdentity": "alice", "eventName": 5,
                                                         "tlsDetails": {"tlsVersion": "v"}}).encode())
    write("normalize", "arbitrary", b"\x01" + bytes(range(256)))

    for i, query in enumerate(QUERIES):
        write("kql", f"query{i:02d}", query.encode())

    for i, rule in enumerate(RULES):
        write("rule", f"rule{i}.toml", rule.encode())


QUERIES = [
    "",
    "event.provider: iam.amazonaws.com",
    'data_stream.dataset: aws.cloudtrail and event.provider: ("iam.amazonaws.com") and event.outcome: "success"'
    ' and aws.cloudtrail.user_identity.type: "IAMUser" and aws.cloudtrail.user_identity.access_key_id: ASIA*'
    ' and source.ip: * and not user_agent.original : "AWS Internal"'
    " and not aws.cloudtrail.session_credential_from_console: true",
    "event.action: (CreateUser or AttachUserPolicy and not DeleteUser)",
    "source.ip: 10.0.0.0/8 or source.ip: 2001:db8::/32 or source.ip >= 10.0.0.1",
    "@timestamp >= 2026-11-20 and @timestamp < 2026-11-21T00:00:00.000+02:00",
    "aws.cloudtrail.resources: { arn: a and type: AWS* }",
    "aws.*.user_identity.arn: *alice*",
    '"free text" or alice',
    'user_agent.original: "aws-cli" and user_agent.original: aws\\ cli\\*',
    "not not not (a: b)",
    "f: rock and roll or f: \"a\\\"b\\\\c\\u00e9\\n\"",
    "event.severity > 1.5e3 and event.severity <= 9999999999999999999999",
    "a:(b or (c and d))",
    "NOT x: y AND z: w OR v: u",
    "event.provider: (",
    "a: \\q",
    "((((((((((a: b))))))))))",
]

RULES = [
    '''[metadata]
creation_date = "2025/04/24"
updated_date = "2026/04/10"

[rule]
author = ["Example"]
name = "IAM calls with session tokens"
rule_id = "00000000-0000-0000-0000-000000000001"
type = "new_terms"
language = "kuery"
timestamp_override = "event.ingested"
query = \'\'\'
event.dataset: aws.cloudtrail and event.provider: "iam.amazonaws.com"
    and aws.cloudtrail.user_identity.access_key_id: ASIA*
\'\'\'

[rule.investigation_fields]
field_names = ["aws.cloudtrail.user_identity.arn", "source.ip"]

[rule.new_terms]
field = "new_terms_fields"
value = ["aws.cloudtrail.user_identity.arn"]

[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-14d"
''',
    '''[rule]
name = "plain query"
type = "query"
query = "event.action: CreateUser"
''',
    '''[rule]
type = "eql"
language = "eql"
query = "any where true"
''',
    '''[rule]
type = "new_terms"
query = "a: b"
[rule.new_terms]
value = ["user.name", "source.ip"]
[[rule.new_terms.history_window_start]]
value = "now-99999999999999w"
''',
    '''[metadata]
updated_date = 2026-04-10
[rule]
query = """a: (b or "c\\"d")"""
''',
]

if __name__ == "__main__":
    main()
