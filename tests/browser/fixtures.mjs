// Events made for the page tests: raw CloudTrail records built to order, a Records file as AWS
// writes it to S3, and records whose fields hold HTML and script payloads.

/** A raw CloudTrail record: an IAM call with temporary (ASIA) credentials, changed by `changes`. */
export function record(user, eventTime, changes = {}) {
  const { userIdentity, ...rest } = changes;
  return {
    eventVersion: '1.10',
    userIdentity: {
      type: 'IAMUser',
      principalId: `AIDA${user.toUpperCase().padEnd(17, 'Q')}`,
      arn: `arn:aws:iam::444455556666:user/${user}`,
      accountId: '444455556666',
      accessKeyId: `ASIA${user.toUpperCase().padEnd(16, 'K')}`,
      userName: user,
      ...userIdentity,
    },
    eventTime,
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListUsers',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.23',
    userAgent: 'aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0',
    requestParameters: null,
    responseElements: null,
    requestID: `req-${user}-${eventTime}`,
    eventID: `evt-${user}-${eventTime}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '444455556666',
    eventCategory: 'Management',
    ...rest,
  };
}

/**
 * A `{"Records": [...]}` file: two users' IAM calls (first ones alert, a later one repeats),
 * a console session and a call from "AWS Internal" that the latest rule excludes, an STS call
 * that no version matches, and an entry that is not a record at all.
 */
export function recordsFile() {
  return JSON.stringify({
    Records: [
      record('dana', '2026-03-02T10:00:00Z'),
      record('dana', '2026-03-02T10:05:00Z', { eventName: 'CreateAccessKey', readOnly: false }),
      record('eli', '2026-03-02T11:00:00Z', { eventName: 'AttachUserPolicy', readOnly: false }),
      record('fay', '2026-03-02T12:00:00Z', { sessionCredentialFromConsole: 'true' }),
      record('gus', '2026-03-02T13:00:00Z', { sourceIPAddress: 'AWS Internal', userAgent: 'AWS Internal' }),
      record('hal', '2026-03-02T14:00:00Z', { eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' }),
      42,
    ],
  });
}

/** Payloads that would run if a page put event text into HTML. */
export const PAYLOADS = [
  '<img src=x onerror="window.__pwned = 1">',
  '<script>window.__pwned = 2</script>',
  '"><svg onload="window.__pwned = 3">',
  "<iframe src=\"javascript:window.__pwned = 4\"></iframe>",
  '=HYPERLINK("http://203.0.113.9/x","click")',
];

/**
 * One-line records whose user name (hence ARN), action and user agent hold the payloads, and
 * every other one its source too (a source that is no IP address makes the rule miss, so the
 * rest alert).
 */
export function hostileRecords() {
  return PAYLOADS.map((payload, i) =>
    JSON.stringify(
      record(`mallory${i}`, `2026-03-03T0${i}:00:00Z`, {
        userIdentity: { arn: `arn:aws:iam::444455556666:user/${payload}`, userName: payload },
        eventName: payload,
        userAgent: payload,
        ...(i % 2 === 1 ? { sourceIPAddress: payload } : {}),
      }),
    ),
  ).join('\n') + '\n';
}

/** `n` one-line records from `users` users, a minute apart. */
export function manyRecords(n, users = 50) {
  const lines = [];
  const start = Date.parse('2026-03-01T00:00:00Z');
  for (let i = 0; i < n; i++) {
    const time = new Date(start + i * 60_000).toISOString().replace('.000Z', 'Z');
    lines.push(JSON.stringify(record(`user${i % users}`, time)));
  }
  return lines.join('\n') + '\n';
}
