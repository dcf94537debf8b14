// A Node Transform over `Triage#stream`: bytes in, one result per event out, in order.

import { Transform } from 'node:stream';

/**
 * @param {object} api the Node API from index.mjs
 * @param {object} options rules, enrich, brief, limits, output ("object" or "ndjson"), triage
 */
export function createTriageStreamWith(api, options) {
  // Rules are checked here, synchronously, so that a bad rule throws before any input flows.
  const triage = options.triage ?? new api.Triage(options);
  return new TriageStream(triage, options);
}

class TriageStream extends Transform {
  constructor(triage, options) {
    const ndjson = options.output === 'ndjson';
    if (options.output !== undefined && options.output !== 'object' && !ndjson) {
      throw new TypeError(`output must be "object" or "ndjson", got ${JSON.stringify(options.output)}`);
    }
    super({ readableObjectMode: !ndjson });

    this.triage = triage;
    this.ndjson = ndjson;
    this.limits = options.limits;
    this.offered = null;
    this.taker = null;
    this.accepted = null;
    this.loop = null;
  }

  _transform(chunk, _encoding, callback) {
    this.start();
    this.offer({ chunk, callback });
  }

  _flush(callback) {
    this.start();
    this.offer({ end: true });
    this.loop.then(() => callback(), callback);
  }

  _destroy(error, callback) {
    if (this.taker !== null) {
      this.taker.reject(error ?? new Error('the triage stream was destroyed'));
      this.taker = null;
    }
    callback(error);
  }

  start() {
    if (this.loop !== null) return;
    this.loop = this.run();
    this.loop.catch((error) => this.destroy(error));
  }

  async run() {
    for await (const batch of this.triage.stream(this.input(), { limits: this.limits })) {
      if (this.ndjson) {
        if (batch.length > 0) this.push(batch.ndjson);
      } else {
        for (const result of batch.results) this.push(result);
      }
    }
  }

  /** The written chunks as an async iterable; a write is acknowledged when it is taken. */
  async *input() {
    for (;;) {
      if (this.accepted !== null) {
        const callback = this.accepted;
        this.accepted = null;
        callback();
      }
      const item = await this.take();
      if (item.end) return;
      this.accepted = item.callback;
      yield item.chunk;
    }
  }

  offer(item) {
    if (this.taker !== null) {
      const { resolve } = this.taker;
      this.taker = null;
      resolve(item);
    } else {
      this.offered = item;
    }
  }

  take() {
    if (this.offered !== null) {
      const item = this.offered;
      this.offered = null;
      return Promise.resolve(item);
    }
    return new Promise((resolve, reject) => {
      this.taker = { resolve, reject };
    });
  }
}
