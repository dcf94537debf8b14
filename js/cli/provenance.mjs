// Where an event's temporary key came from, as the table shows it under an alert: one labelled
// line per fact, from the `provenance` object the core writes for events made with an `ASIA…`
// key.

/** The widest label, so that the values line up. */
const LABEL_WIDTH = 8;

/**
 * The lines that describe a result's key, without indentation; empty when the result has no
 * provenance (its key is not temporary, or the event could not be read).
 *
 * @param {object} result a parsed result
 * @returns {Array<{label: string, text: string, sign?: boolean}>}
 */
export function provenanceLines(result) {
  const provenance = result.provenance;
  if (provenance === undefined || provenance === null) return [];

  const lines = [{ label: 'key', text: provenance.key_id }];
  if (provenance.issuer !== undefined) {
    lines.push({ label: 'issuer', text: issuerText(provenance.issuer, result.summary?.arn) });
  } else if (provenance.note !== undefined) {
    lines.push({ label: 'issuer', text: provenance.note });
  }
  // Each key above: the one the issuing call was made with, and so on up.
  for (const above of provenance.chain ?? []) {
    lines.push({ label: 'chain', text: issuerText(above, null) });
  }

  lines.push({ label: 'history', text: historyText(provenance) });
  const lists = [
    ['sources', provenance.source_ips, ', '],
    ['agents', provenance.user_agents, ' | '],
    ['actions', provenance.actions, ', '],
  ];
  for (const [label, values, separator] of lists) {
    if (values.length > 0) lines.push({ label, text: values.join(separator) });
  }
  for (const sign of provenance.signs) lines.push({ label: 'sign', text: sign, sign: true });
  return lines;
}

/** A line as the table writes it: the label padded so that the values line up. */
export function labelled({ label, text }) {
  return `${label.padEnd(LABEL_WIDTH)}  ${text}`;
}

/**
 * `GetSessionToken #0, 2026-05-04 08:00:00, from 203.0.113.21, with MFA, aws-cli/2.27.12`,
 * naming the caller when it is not the event's own identity (as with an assumed role).
 */
function issuerText(issuer, eventArn) {
  const parts = [`${issuer.action} #${issuer.index}`];
  if (issuer.arn !== undefined && issuer.arn !== eventArn) {
    const key = issuer.caller_key === undefined ? '' : ` with ${issuer.caller_key}`;
    parts[0] += ` by ${issuer.arn}${key}`;
  }
  if (issuer.timestamp !== undefined) parts.push(time(issuer.timestamp));
  if (issuer.source_ip !== undefined) parts.push(`from ${issuer.source_ip}`);
  if (issuer.mfa !== undefined) parts.push(issuer.mfa ? 'with MFA' : 'without MFA');
  if (issuer.user_agent !== undefined) parts.push(issuer.user_agent);
  return parts.join(', ');
}

/** `3 calls, 2026-05-04 08:01:10 to 2026-05-04 08:03:00, longest gap 1 minute`. */
function historyText(provenance) {
  const calls = provenance.calls === 1 ? '1 call' : `${provenance.calls} calls`;
  const parts = [calls];
  const { first_seen: first, last_seen: last } = provenance;
  if (first !== undefined && last !== undefined) {
    parts.push(first === last ? time(first) : `${time(first)} to ${time(last)}`);
  }
  if (provenance.longest_gap !== undefined) parts.push(`longest gap ${provenance.longest_gap}`);
  return parts.join(', ');
}

/** A timestamp to the second: `2026-05-04 08:00:00`; as written when it is not in UTC. */
function time(timestamp) {
  const utc = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?Z$/.exec(timestamp);
  return utc === null ? timestamp : `${utc[1]} ${utc[2]}`;
}
