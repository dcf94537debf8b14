// Choosing the rule: a built-in version from the selector, or a rule pasted as TOML or KQL,
// checked as it is typed with its parse error shown at its position.

import { byId, h } from './dom.mjs';

const CHECK_DELAY_MS = 200;

export class RulePicker {
  /**
   * @param {(text: string) => Promise<object>} check asks the worker about a pasted rule
   * @param {() => void} onChange called when the rule to run changes
   */
  constructor(check, onChange) {
    this.check = check;
    this.onChange = onChange;
    this.builtins = [];
    this.pasted = { ok: false, empty: true, kind: 'kql' };
    this.timer = null;
    this.checking = 0;

    this.select = byId('rule');
    this.about = byId('rule-about');
    this.box = byId('custom-rule');
    this.use = byId('use-custom');
    this.status = byId('custom-status');
    this.error = byId('custom-error');
    this.goto = byId('custom-goto');

    this.select.addEventListener('change', () => {
      this.describeBuiltin();
      this.onChange();
    });
    this.box.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.recheck(), CHECK_DELAY_MS);
    });
    this.use.addEventListener('change', () => {
      this.select.disabled = this.use.checked;
      this.onChange();
    });
    this.goto.addEventListener('click', () => this.showError());
  }

  /** Fills the selector with the built-in versions (from `builtinRules()`), newest last. */
  setBuiltins(rules, chosen) {
    this.builtins = rules;
    const latest = rules.find((rule) => rule.latest);
    const options = rules.map((rule) =>
      h('option', { attrs: { value: rule.name }, text: `${rule.name} · ${rule.date ?? 'undated'}` }),
    );
    if (latest !== undefined) {
      options.unshift(h('option', { attrs: { value: 'latest' }, text: `latest (${latest.name})` }));
    }
    this.select.replaceChildren(...options);
    this.select.value = rules.some((rule) => rule.name === chosen) || chosen === 'latest' ? chosen : 'latest';
    this.describeBuiltin();
  }

  describeBuiltin() {
    const name = this.select.value;
    const rule = name === 'latest'
      ? this.builtins.find((item) => item.latest)
      : this.builtins.find((item) => item.name === name);
    this.about.textContent = rule === undefined ? '' : describe(rule);
    this.about.title = rule?.query ?? '';
  }

  async recheck() {
    const text = this.box.value;
    const ticket = ++this.checking;
    const answer = await this.check(text);
    // A slower answer to an older text must not overwrite the newer one's.
    if (ticket !== this.checking) return;
    this.pasted = { ...answer, text };
    this.showCheck();
    if (this.usesPasted()) this.onChange();
  }

  showCheck() {
    const answer = this.pasted;
    const kind = answer.kind === 'toml' ? 'TOML rule' : 'KQL query';
    this.error.hidden = answer.ok || answer.empty === true;
    this.goto.hidden = answer.ok || answer.index === null || answer.index === undefined;
    if (answer.empty) {
      this.status.textContent = '';
    } else if (answer.ok) {
      this.status.textContent = `Read as a ${kind}. ${describe(answer.info, answer.kind === 'kql')}`;
    } else {
      const where = answer.line === undefined ? '' : ` at line ${answer.line}, column ${answer.column}`;
      this.status.textContent = `Read as a ${kind}; it does not parse${where}:`;
      byId('custom-error-message').textContent = answer.message;
      byId('custom-error-caret').textContent = answer.caret ?? '';
    }
  }

  /** Selects the spot of the parse error in the box. */
  showError() {
    const { index } = this.pasted;
    if (typeof index !== 'number') return;
    this.box.focus();
    this.box.setSelectionRange(index, Math.min(index + 1, this.box.value.length));
  }

  /** Whether the pasted rule is the one to run. */
  usesPasted() {
    return this.use.checked;
  }

  /** The pasted rule as a rule spec, or null when it is empty or does not parse. */
  pastedSpec() {
    const { ok, kind, text } = this.pasted;
    if (!ok || text !== this.box.value) return null;
    return kind === 'toml' ? { toml: text } : { query: text, name: 'pasted' };
  }

  /**
   * The rule to run: `{spec, label}`, or `{error}` when the pasted rule is chosen but cannot
   * be used.
   */
  current() {
    if (!this.usesPasted()) return { spec: this.select.value, label: this.select.value };
    if (this.box.value.trim() === '') return { error: 'The pasted rule is empty: paste a TOML rule or a KQL query, or untick “Use the pasted rule”.' };
    const spec = this.pastedSpec();
    if (spec === null) return { error: this.pasted.display ?? 'The pasted rule is still being checked; try again in a moment.' };
    return { spec, label: 'pasted' };
  }

  /** Waits for the check of the text in the box, when one is pending. */
  async settle() {
    if (this.pasted.text === this.box.value) return;
    clearTimeout(this.timer);
    await this.recheck();
  }
}

/** One line about a rule: what makes an alert, and the history window of a new-terms rule. */
function describe(rule, bare = false) {
  if (bare) return 'Events that match are matches; a bare query raises no alerts, having no new terms.';
  const title = rule.title ? `${rule.title}. ` : '';
  if (rule.type === 'new_terms') {
    const fields = rule.new_terms_fields.join(', ');
    const days = rule.history_window_days;
    const window = days === null || days === undefined ? '' : ` in the last ${days} days`;
    return `${title}New terms: a matching event alerts when its ${fields} did not match${window}.`;
  }
  return `${title}A ${rule.type} rule: every event that matches alerts.`;
}
