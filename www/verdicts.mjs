// Names and numbers shared by the page and its worker.

/** The verdicts in the order the page lists them, with the words shown for them. */
export const VERDICTS = [
  { name: 'alert', label: 'alert', about: 'first match of its new-terms value: the rule alerts' },
  { name: 'repeat', label: 'repeat', about: 'matches, but its new-terms value was seen already' },
  { name: 'match', label: 'match', about: 'matches a query without new terms' },
  { name: 'no_match', label: 'no match', about: 'the query does not match' },
  { name: 'error', label: 'error', about: 'the event could not be read' },
];

export const VERDICT_NAMES = VERDICTS.map((verdict) => verdict.name);

export function verdictLabel(name) {
  return VERDICTS.find((verdict) => verdict.name === name)?.label ?? name;
}

/**
 * The change from `before` to `after` in percent, rounded to one decimal; `null` when there
 * was nothing before and something after (no percentage describes that).
 */
export function changePercent(before, after) {
  if (before === 0) return after === 0 ? 0 : null;
  return Math.round(((after - before) / before) * 1000) / 10;
}

export function formatChange(percent) {
  if (percent === null) return 'new';
  return `${percent > 0 ? '+' : ''}${percent.toFixed(1)}%`;
}

/**
 * An ECS timestamp as the table shows it: date and time to the second when it is in UTC, as
 * written otherwise.
 */
export function formatTime(timestamp) {
  if (typeof timestamp !== 'string') return '';
  const utc = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(timestamp);
  return utc === null ? timestamp : `${utc[1]} ${utc[2]}`;
}
