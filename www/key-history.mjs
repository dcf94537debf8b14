// The key-history panel of the details: for an event made with a temporary (ASIA…) key, the
// signs of a stolen session first, then the call that issued the key (or why it is missing),
// the keys above it, what was done with the key, and links to the issuing event and the key's
// other events. Every value reaches the page as text (dom.mjs): event fields are written by
// whoever made the request.

import { h } from './dom.mjs';
import { formatTime } from './verdicts.mjs';

/** How many of the key's other events get a link; the rest are counted. */
export const EVENT_LINKS = 20;

const NO_ISSUER = 'the call that issued the key is not in the input';

/**
 * The panel for a result, or the empty, hidden slot when the event has no provenance.
 *
 * @param {object} result the event's result, with `provenance` when its key is temporary
 * @param {(index: number) => void} onJump selects another event
 */
export function keyHistory(result, onJump) {
  const provenance = result.provenance;
  const props = { className: 'key-history', dataset: { slot: 'key-history' } };
  if (provenance === undefined || provenance === null) {
    return h('section', { ...props, attrs: { hidden: '' } });
  }

  return h(
    'section',
    props,
    h('h4', {}, 'Where the key ', h('code', { text: provenance.key_id }), ' came from'),
    signs(provenance.signs ?? []),
    provenance.issuer === undefined
      ? h('p', { className: 'key-note', text: provenance.note ?? NO_ISSUER })
      : issuer(provenance.issuer, result.summary?.arn, onJump),
    chain(provenance.chain ?? [], provenance.issuer?.caller_key, onJump),
    history(provenance),
    otherEvents(provenance, Number(result.index), onJump),
  );
}

/** `GetSessionToken, event 0 [go to event 0]` and its facts. */
function issuer(call, eventArn, onJump) {
  const index = Number(call.index);
  const facts = [
    ['time', optionalTime(call.timestamp)],
    ['called by', call.arn === eventArn ? undefined : call.arn],
    ['with key', call.caller_key],
    ['source', call.source_ip],
    ['MFA', mfa(call.mfa)],
    ['user agent', call.user_agent],
  ];
  return h(
    'div',
    { className: 'issuer', dataset: { event: String(index) } },
    h(
      'p',
      {},
      'Issued by ',
      h('strong', { text: call.action }),
      `, event ${index} `,
      jumpButton(index, `go to event ${index}`, onJump),
    ),
    factList(facts),
  );
}

/**
 * The issuers above: the key the issuing call was made with and where it came from, then that
 * call's key, and so on.
 */
function chain(issuers, callerKey, onJump) {
  if (issuers.length === 0) return null;
  let key = callerKey;
  const items = issuers.map((above) => {
    const index = Number(above.index);
    const details = [
      above.arn === undefined ? null : `called by ${above.arn}`,
      above.caller_key === undefined ? null : `with ${above.caller_key}`,
      above.timestamp === undefined ? null : formatTime(above.timestamp),
      above.source_ip === undefined ? null : `from ${above.source_ip}`,
      above.mfa === undefined ? null : `MFA ${mfa(above.mfa)}`,
    ].filter((part) => part !== null);
    const item = h(
      'li',
      { dataset: { event: String(index) } },
      key === undefined ? null : [h('code', { text: key }), ' came from '],
      h('strong', { text: above.action }),
      `, event ${index}${details.length === 0 ? '' : ': ' + details.join(', ')} `,
      jumpButton(index, `go to event ${index}`, onJump),
    );
    key = above.caller_key;
    return item;
  });
  return h(
    'div',
    { className: 'key-chain' },
    h('p', { className: 'muted', text: 'Keys above it:' }),
    h('ol', {}, items),
  );
}

function history(provenance) {
  const calls = provenance.calls === 1 ? '1 call' : `${provenance.calls} calls`;
  const facts = [
    ['used', calls],
    ['first seen', optionalTime(provenance.first_seen)],
    ['last seen', optionalTime(provenance.last_seen)],
    ['longest gap', provenance.longest_gap],
  ];
  const lists = [
    ['sources', 'source addresses', provenance.source_ips ?? []],
    ['agents', 'user agents', provenance.user_agents ?? []],
    ['actions', 'actions', provenance.actions ?? []],
  ];
  return h(
    'div',
    { className: 'key-use' },
    factList(facts),
    h('dl', { className: 'key-lists' }, lists.map(([kind, name, values]) => [
      h('dt', { text: `${name} (${values.length})` }),
      h('dd', {}, h('ul', { className: kind }, values.map((value) => h('li', { text: value })))),
    ])),
  );
}

function signs(list) {
  if (list.length === 0) {
    return h('p', {
      className: 'muted key-signs-none',
      text: 'No sign of a stolen session: no second source address or user agent, no long gap.',
    });
  }
  return h('ul', { className: 'key-signs' }, list.map((sign) => h('li', { text: sign })));
}

/** Links to the key's other events, the first `EVENT_LINKS` of them, and how many more. */
function otherEvents(provenance, current, onJump) {
  const others = (provenance.events ?? []).map(Number).filter((index) => index !== current);
  const shown = others.slice(0, EVENT_LINKS);
  const more = Math.max(0, Number(provenance.calls) - 1 - shown.length);
  if (shown.length === 0 && more === 0) {
    const text = 'No other event has used this key so far.';
    return h('p', { className: 'muted key-events', text });
  }
  return h(
    'p',
    { className: 'key-events' },
    'Other events with this key: ',
    shown.map((index) => [jumpButton(index, `#${index}`, onJump, `go to event ${index}`), ' ']),
    more === 0
      ? null
      : h('span', { className: 'muted', text: `and ${more.toLocaleString('en-US')} more` }),
  );
}

function jumpButton(index, text, onJump, title = undefined) {
  return h('button', {
    className: 'link',
    title,
    dataset: { jump: String(index) },
    attrs: { type: 'button' },
    text,
    on: { click: () => onJump(index) },
  });
}

function factList(items) {
  const present = items.filter(([, value]) => value !== undefined && value !== '');
  if (present.length === 0) return null;
  return h('dl', { className: 'facts' }, present.map(([name, value]) => h(
    'div',
    {},
    h('dt', { text: name }),
    h('dd', { text: String(value) }),
  )));
}

function optionalTime(timestamp) {
  return timestamp === undefined ? undefined : formatTime(timestamp);
}

function mfa(used) {
  if (used === undefined || used === null) return undefined;
  return used ? 'used' : 'not used';
}
