// Cuts a byte stream into batches for the core, so that memory stays flat however large the
// input is, and so that the batches depend only on the bytes, never on how they arrived: the
// same input cut into different pieces gives the same batches, hence the same results (the
// core's new-terms state sees the same events in the same groups).
//
// Two input shapes are told apart by their first bytes:
//
// - lines: one event per line (NDJSON, including one-line `{"Records": [...]}` files). A
//   batch is at most `chunkLines` lines and at most `chunkBytes` bytes (a longer line goes
//   alone), cut only at line ends.
// - document: input starting with `[`, or with `{` on a first line that does not close the
//   object (a pretty-printed event or `{"Records": [...]}` envelope). JSON gives no place to
//   cut such a document without parsing it, so it is read whole, up to `documentBytes`.

/** Limits on what is held in memory at once. */
export const DEFAULT_LIMITS = Object.freeze({
  chunkLines: 100,
  chunkBytes: 1024 * 1024,
  lineBytes: 256 * 1024 * 1024,
  documentBytes: 256 * 1024 * 1024,
});

const NEWLINE = 0x0a;

/** Raised when the input cannot be read at all (here: a document over the size limit). */
export class InputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * Batches produced by `Chunker`:
 *
 * - `{kind: "lines", bytes, firstLine, lines, events}`: `lines` complete lines starting at
 *   1-based line `firstLine`, of which `events` are not blank.
 * - `{kind: "document", bytes, firstLine: 1, lines, events: 1}`: the whole input.
 * - `{kind: "oversized", firstLine, lines: 1, events: 1, size, limit}`: a line longer than
 *   `lineBytes`, skipped unread; it stands for one unreadable event.
 */
export class Chunker {
  constructor(limits = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(`limit ${name} must be a positive integer, got ${value}`);
      }
    }

    this.mode = 'undecided';
    this.shape = new ShapeScan();
    this.head = [];
    this.headBytes = 0;
    this.bomChecked = false;

    this.line = 1;
    this.partial = [];
    this.partialBytes = 0;
    this.skipping = false;

    this.batch = [];
    this.batchBytes = 0;
    this.batchLines = 0;
    this.batchEvents = 0;
    this.batchFirstLine = 1;
  }

  /**
   * Takes the next piece of input and returns the batches it completes.
   *
   * @param {Uint8Array} bytes
   */
  push(bytes) {
    const out = [];
    if (bytes.length === 0) return out;

    if (!this.bomChecked) {
      this.head.push(bytes);
      this.headBytes += bytes.length;
      if (this.headBytes < 3) return out;
      this.bomChecked = true;
      bytes = stripBom(concat(this.head, this.headBytes));
      this.head = [];
      this.headBytes = 0;
    }

    if (this.mode === 'undecided') {
      this.head.push(bytes);
      this.headBytes += bytes.length;
      const mode = this.shape.scan(bytes, this.headBytes > this.limits.lineBytes);
      if (mode === 'undecided') return out;
      this.mode = mode;
      bytes = concat(this.head, this.headBytes);
      this.head = [];
      this.headBytes = 0;
    }

    if (this.mode === 'document') {
      this.addToDocument(bytes);
    } else {
      this.addLines(bytes, out);
    }
    return out;
  }

  /** Signals the end of input and returns the last batches. */
  end() {
    const out = [];

    if (!this.bomChecked) {
      const head = concat(this.head, this.headBytes);
      this.head = [];
      this.headBytes = 0;
      this.bomChecked = true;
      if (head.length > 0) out.push(...this.push(stripBom(head)));
    }
    if (this.mode === 'undecided') {
      this.mode = this.shape.scan(new Uint8Array(0), true);
      const head = concat(this.head, this.headBytes);
      this.head = [];
      this.headBytes = 0;
      if (this.mode === 'document') {
        this.addToDocument(head);
      } else {
        this.addLines(head, out);
      }
    }

    if (this.mode === 'document') {
      const bytes = concat(this.head, this.headBytes);
      this.head = [];
      if (!isBlank([bytes])) {
        out.push({ kind: 'document', bytes, firstLine: 1, lines: countLines(bytes), events: 1 });
      }
      return out;
    }

    if (this.skipping) {
      this.emitOversized(out);
    } else if (this.partialBytes > 0) {
      this.addLine(this.partial, this.partialBytes, out);
      this.partial = [];
      this.partialBytes = 0;
    }
    this.closeBatch(out);
    return out;
  }

  /**
   * Drops an incomplete last line (input cut off inside it); says whether there was one.
   */
  dropPartialLine() {
    const dropped = this.mode === 'lines' && !this.skipping && !isBlank(this.partial);
    if (this.mode === 'lines') {
      this.partial = [];
      this.partialBytes = 0;
    }
    return dropped;
  }

  addToDocument(bytes) {
    this.head.push(bytes);
    this.headBytes += bytes.length;
    if (this.headBytes > this.limits.documentBytes) {
      throw new InputError(
        `the input is a single JSON document (an array, a Records file or a pretty-printed ` +
          `event) larger than ${formatBytes(this.limits.documentBytes)}, which must be read ` +
          `whole; write it as one event per line to stream it`,
      );
    }
  }

  addLines(bytes, out) {
    let pos = 0;
    while (pos < bytes.length) {
      const newline = bytes.indexOf(NEWLINE, pos);
      const end = newline < 0 ? bytes.length : newline + 1;
      const piece = bytes.subarray(pos, end);
      pos = end;

      if (this.skipping) {
        this.skippedBytes += piece.length;
      } else {
        this.partial.push(piece);
        this.partialBytes += piece.length;
        if (this.partialBytes > this.limits.lineBytes + 2) {
          this.skipping = true;
          this.skippedBytes = this.partialBytes;
          this.partial = [];
          this.partialBytes = 0;
        }
      }
      if (newline < 0) continue;

      if (this.skipping) {
        this.emitOversized(out);
      } else {
        this.addLine(this.partial, this.partialBytes, out);
        this.partial = [];
        this.partialBytes = 0;
      }
    }
  }

  addLine(pieces, size, out) {
    // A batch ends at the first line that can start the next one safely; a run of lines
    // that cannot (blank, broken or array lines) may stretch it, up to a hard cap.
    const full =
      this.batchLines >= this.limits.chunkLines || this.batchBytes + size > this.limits.chunkBytes;
    const overfull =
      this.batchLines >= 2 * this.limits.chunkLines + 100 ||
      this.batchBytes > 2 * this.limits.chunkBytes;
    if (this.batchLines > 0 && (overfull || (full && startsBatchSafely(pieces)))) {
      this.closeBatch(out);
    }
    if (this.batchLines === 0) this.batchFirstLine = this.line;

    const blank = isBlank(pieces);
    const firstEvent = !blank && this.batchEvents === 0;
    this.batch.push(...pieces);
    this.batchBytes += size;
    this.batchLines += 1;
    if (!blank) this.batchEvents += 1;
    this.line += 1;

    // The core would read the rest of a batch that opens with `[` as part of that array, so
    // such a batch (only reached past the cap) ends with its first line.
    if (firstEvent && opensArray(pieces)) this.closeBatch(out);
  }

  emitOversized(out) {
    this.closeBatch(out);
    out.push({
      kind: 'oversized',
      firstLine: this.line,
      lines: 1,
      events: 1,
      size: this.skippedBytes,
      limit: this.limits.lineBytes,
    });
    this.line += 1;
    this.skipping = false;
    this.skippedBytes = 0;
  }

  closeBatch(out) {
    if (this.batchLines === 0) return;
    if (this.batchEvents > 0) {
      out.push({
        kind: 'lines',
        bytes: concat(this.batch, this.batchBytes),
        firstLine: this.batchFirstLine,
        lines: this.batchLines,
        events: this.batchEvents,
      });
    }
    this.batch = [];
    this.batchBytes = 0;
    this.batchLines = 0;
    this.batchEvents = 0;
  }
}

/**
 * Decides from the first bytes whether the input is one event per line or one document,
 * looking at each byte once however the input is cut.
 */
class ShapeScan {
  constructor() {
    this.first = -1;
    this.last = -1;
  }

  /** Scans the next bytes; `final` forces a decision with what has been seen. */
  scan(bytes, final) {
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i];
      if (this.first < 0) {
        if (isSpace(c)) continue;
        this.first = c;
        if (c !== 0x7b) break;
      }
      if (c === NEWLINE) return this.decide(true);
      if (!isSpace(c)) this.last = c;
    }
    if (this.first >= 0 && this.first !== 0x7b) return this.decide(false);
    return final ? this.decide(false) : 'undecided';
  }

  decide(sawLineEnd) {
    if (this.first === 0x5b) return 'document';
    if (this.first !== 0x7b || !sawLineEnd) return 'lines';

    // A first line that leaves the object open, as a pretty-printer writes it, ends in one of
    // these; a one-line event ends in `}`, and a truncated one rarely in any of them.
    return [0x7b, 0x5b, 0x2c, 0x3a].includes(this.last) ? 'document' : 'lines';
  }
}

function isSpace(c) {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isBlank(pieces) {
  for (const piece of pieces) {
    for (let i = 0; i < piece.length; i++) {
      if (!isSpace(piece[i])) return false;
    }
  }
  return true;
}

const decoder = new TextDecoder();

function firstByte(pieces) {
  for (const piece of pieces) {
    for (let i = 0; i < piece.length; i++) {
      if (!isSpace(piece[i])) return piece[i];
    }
  }
  return -1;
}

function opensArray(pieces) {
  return firstByte(pieces) === 0x5b;
}

/**
 * Whether a batch may start with this line and still be read line by line, as the whole
 * input would be. The core reads a batch as one JSON document when it starts with `[`, or
 * when all of it is one JSON value, so a batch starts only on a non-blank line that does not
 * open an array and, if it opens an object, is a complete value on its own.
 */
function startsBatchSafely(pieces) {
  const first = firstByte(pieces);
  if (first < 0 || first === 0x5b) return false;
  if (first !== 0x7b) return true;
  try {
    JSON.parse(decoder.decode(concat(pieces, pieces.reduce((n, piece) => n + piece.length, 0))));
    return true;
  } catch {
    return false;
  }
}

function countLines(bytes) {
  let lines = 1;
  for (let i = bytes.indexOf(NEWLINE); i >= 0; i = bytes.indexOf(NEWLINE, i + 1)) lines++;
  return lines;
}

function stripBom(bytes) {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/** Joins pieces into one array; a single piece is returned as it is. */
export function concat(pieces, total) {
  if (pieces.length === 1) return pieces[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

export function formatBytes(n) {
  if (n >= 1024 * 1024 * 1024) return `${+(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 * 1024) return `${+(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
