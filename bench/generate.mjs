// Realistic ECS events for the benchmark, as Elastic's AWS integration indexes CloudTrail
// records: nested documents of about 1.5 KB, each with its raw record in `event.original`.
//
// The mix is that of a busy account: most calls are reads and writes to other services by
// roles, a share are IAM calls by IAM users, some of those with temporary `ASIA` keys, about
// half of which come from console sessions (flagged only inside `event.original`). A few
// percent match the latest rule. The same seed gives the same events, byte for byte.
//
//   node bench/generate.mjs EVENTS [SEED] > events.ndjson
//   node bench/generate.mjs --bytes 1G | node js/cli.mjs ...

const ACCOUNTS = ['111122223333', '444455556666', '777788889999'];
const REGIONS = ['us-east-1', 'us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'];

const IAM_ACTIONS = [
  'ListUsers', 'GetUser', 'CreateUser', 'CreateAccessKey', 'AttachUserPolicy', 'PutUserPolicy',
  'ListAttachedRolePolicies', 'GetRole', 'UpdateAssumeRolePolicy', 'CreateLoginProfile',
];
const OTHER_CALLS = [
  ['s3.amazonaws.com', 'GetObject', 'data'],
  ['s3.amazonaws.com', 'PutObject', 'data'],
  ['s3.amazonaws.com', 'ListBuckets', 'data'],
  ['ec2.amazonaws.com', 'DescribeInstances', 'management'],
  ['ec2.amazonaws.com', 'RunInstances', 'management'],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups', 'management'],
  ['sts.amazonaws.com', 'AssumeRole', 'management'],
  ['sts.amazonaws.com', 'GetCallerIdentity', 'management'],
  ['lambda.amazonaws.com', 'Invoke', 'data'],
  ['kms.amazonaws.com', 'Decrypt', 'management'],
  ['kms.amazonaws.com', 'GenerateDataKey', 'management'],
  ['dynamodb.amazonaws.com', 'DescribeTable', 'management'],
  ['logs.amazonaws.com', 'CreateLogStream', 'management'],
];
const AGENTS = [
  'aws-cli/2.22.4 Python/3.12.6 Linux/6.8.0-1018-aws exe/x86_64.ubuntu.24',
  'Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#5.15.0 lang/python#3.9.16',
  'aws-sdk-go-v2/1.32.4 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64',
  'console.amazonaws.com',
  'terraform-provider-aws/5.80.0 (+https://registry.terraform.io)',
];

/** CloudTrail's time format: to the second, in UTC. */
function stamp(millis) {
  return new Date(millis).toISOString().replace('.000Z', 'Z');
}

/** A small, fast, seeded PRNG (mulberry32), so that a seed always gives the same events. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An endless source of event lines.
 *
 * @param {number} seed
 */
export function* events(seed = 1) {
  const rand = random(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const hex = (n) => {
    let out = '';
    for (let i = 0; i < n; i++) out += '0123456789abcdef'[Math.floor(rand() * 16)];
    return out;
  };
  const upper = (n) => {
    let out = '';
    for (let i = 0; i < n; i++) out += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[Math.floor(rand() * 32)];
    return out;
  };
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;

  // Who calls: IAM users with long-term and temporary keys, roles, and the odd service.
  const users = [];
  for (let i = 0; i < 400; i++) {
    const account = pick(ACCOUNTS);
    users.push({
      name: `user${String(i).padStart(4, '0')}`,
      account,
      principal: `AIDA${upper(17)}`,
      longKey: `AKIA${upper(16)}`,
      sessionKey: `ASIA${upper(16)}`,
      console: rand() < 0.5,
      ip: `203.0.${Math.floor(rand() * 256)}.${Math.floor(rand() * 254) + 1}`,
      agent: pick(AGENTS),
    });
  }
  const roles = [];
  for (let i = 0; i < 60; i++) {
    const account = pick(ACCOUNTS);
    const role = pick(['ci-deploy', 'lambda-exec', 'ops-admin', 'etl-job', 'readonly-audit']);
    const session = `session-${hex(6)}`;
    roles.push({
      name: session,
      account,
      principal: `AROA${upper(17)}:${session}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
      key: `ASIA${upper(16)}`,
      ip: `10.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 254) + 1}`,
      agent: pick(AGENTS),
    });
  }

  let time = Date.UTC(2026, 10, 20, 8, 0, 0);
  for (let serial = 0; ; serial++) {
    time += Math.floor(rand() * 2) * 1000;
    const user = rand() < 0.45 ? pick(users) : null;
    const role = user === null ? pick(roles) : null;
    const iam = user !== null ? rand() < 0.4 : rand() < 0.1;
    const [provider, action, category] = iam
      ? ['iam.amazonaws.com', pick(IAM_ACTIONS), 'management']
      : pick(OTHER_CALLS);
    const temporary = user !== null && rand() < 0.5;
    const internal = rand() < 0.03;
    const failed = rand() < 0.05;

    const account = (user ?? role).account;
    const arn = user !== null ? `arn:aws:iam::${account}:user/${user.name}` : role.arn;
    const key = user !== null ? (temporary ? user.sessionKey : user.longKey) : role.key;
    const ip = internal ? 'AWS Internal' : (user ?? role).ip;
    const agent = internal ? 'AWS Internal' : (user ?? role).agent;
    const region = pick(REGIONS);
    const eventTime = stamp(time);
    const eventId = uuid();
    const readOnly = /^(Get|List|Describe)/.test(action);

    const identity = user !== null
      ? {
          type: 'IAMUser',
          principalId: user.principal,
          arn,
          accountId: account,
          accessKeyId: key,
          userName: user.name,
        }
      : {
          type: 'AssumedRole',
          principalId: role.principal,
          arn,
          accountId: account,
          accessKeyId: key,
        };
    if (temporary) {
      identity.sessionContext = {
        attributes: { creationDate: stamp(time - 1_800_000), mfaAuthenticated: String(user.console) },
      };
    }
    const record = {
      eventVersion: '1.10',
      userIdentity: identity,
      eventTime,
      eventSource: provider,
      eventName: action,
      awsRegion: region,
      sourceIPAddress: ip,
      userAgent: agent,
      requestParameters: readOnly ? { maxItems: 100 } : { userName: `svc-${hex(6)}` },
      responseElements: null,
      eventID: eventId,
      readOnly,
      eventType: 'AwsApiCall',
      managementEvent: category === 'management',
      recipientAccountId: account,
      eventCategory: category === 'management' ? 'Management' : 'Data',
    };
    if (failed) {
      record.errorCode = 'AccessDenied';
      record.errorMessage = `User: ${arn} is not authorized to perform: ${provider.split('.')[0]}:${action}`;
    }
    if (temporary && user.console) record.sessionCredentialFromConsole = 'true';

    const event = {
      '@timestamp': new Date(time).toISOString(),
      cloud: { account: { id: account }, region, provider: 'aws' },
      event: {
        action,
        provider,
        outcome: failed ? 'failure' : 'success',
        type: [readOnly ? 'info' : 'change'],
        dataset: 'aws.cloudtrail',
        original: JSON.stringify(record),
        ingested: new Date(time + 240_000).toISOString(),
      },
      data_stream: { dataset: 'aws.cloudtrail', namespace: 'default' },
      source: internal ? { address: ip } : { address: ip, ip },
      user_agent: { original: agent },
      related: internal ? { user: [user?.name ?? role.name] } : { user: [user?.name ?? role.name], ip: [ip] },
      aws: {
        cloudtrail: {
          event_version: '1.10',
          event_type: 'AwsApiCall',
          management_event: record.managementEvent,
          read_only: readOnly,
          user_identity: { type: identity.type, arn, access_key_id: key },
        },
      },
    };
    if (failed) event.aws.cloudtrail.error_code = record.errorCode;
    yield JSON.stringify(event) + '\n';
  }
}

/** Parses `10`, `100000`, `512M`, `1G`. */
function size(text) {
  const match = /^([0-9]+)([kmg]?)$/i.exec(text ?? '');
  if (match === null) throw new Error(`not a count or size: ${text}`);
  return Number(match[1]) * { '': 1, k: 1e3, m: 1024 ** 2, g: 1024 ** 3 }[match[2].toLowerCase()];
}

/**
 * Writes events to a stream until `count` events or `bytes` bytes are written, in large
 * writes that respect back-pressure.
 */
export async function writeEvents(out, { count = Infinity, bytes = Infinity, seed = 1 }) {
  const { once } = await import('node:events');
  let written = 0;
  let lines = 0;
  let buffer = '';
  for (const line of events(seed)) {
    if (lines >= count || written + line.length > bytes) break;
    buffer += line;
    written += line.length;
    lines += 1;
    if (buffer.length >= 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  if (buffer.length > 0 && !out.write(buffer)) await once(out, 'drain');
  return { lines, bytes: written };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const byBytes = args[0] === '--bytes';
  const amount = size(byBytes ? args[1] : args[0]);
  const seed = Number(args[byBytes ? 2 : 1] ?? 1);
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  await writeEvents(process.stdout, byBytes ? { bytes: amount, seed } : { count: amount, seed });
}
