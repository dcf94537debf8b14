// Progress on standard error for runs longer than a second, when it is a terminal.

const DELAY_MS = 1000;
const EVERY_MS = 250;

export class Progress {
  constructor(stream, enabled) {
    this.stream = stream;
    this.enabled = enabled;
    this.started = performance.now();
    this.events = 0;
    this.bytes = 0;
    this.shown = false;
    this.timer = null;
    if (enabled) {
      this.timer = setInterval(() => this.draw(), EVERY_MS);
      this.timer.unref();
    }
  }

  draw() {
    const elapsed = performance.now() - this.started;
    if (elapsed < DELAY_MS) return;
    const rate = Math.round(this.events / (elapsed / 1000));
    const text = `${this.events.toLocaleString('en-US')} events, ` +
      `${rate.toLocaleString('en-US')} events/s, ${megabytes(this.bytes)} read`;
    this.stream.write(`\r\u001b[K${text}`);
    this.shown = true;
  }

  /** Removes the progress line, so that other output starts on a clean line. */
  clear() {
    if (!this.shown) return;
    this.stream.write('\r\u001b[K');
    this.shown = false;
  }

  stop() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.clear();
  }

  seconds() {
    return (performance.now() - this.started) / 1000;
  }
}

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
