// Reading an NDJSON file fast, shared by the benchmark's runners: large reads, lines cut at
// newline bytes, so that no runner is slowed by how it reads.

import { closeSync, openSync, readSync } from 'node:fs';

const READ_BYTES = 1 << 22;

/**
 * Yields the file's lines as byte arrays (without the newline), blank lines included. The
 * arrays share buffers that are reused, so copy what must outlive the next step.
 *
 * @param {string} path
 */
export function* byteLines(path) {
  const fd = openSync(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(READ_BYTES);
    let filled = 0;
    for (;;) {
      const read = readSync(fd, buffer, filled, buffer.length - filled, null);
      filled += read;
      let start = 0;
      for (let newline = buffer.indexOf(10, start); newline >= 0 && newline < filled; newline = buffer.indexOf(10, start)) {
        yield buffer.subarray(start, newline);
        start = newline + 1;
      }
      if (read === 0) {
        if (start < filled) yield buffer.subarray(start, filled);
        return;
      }
      // Keep the incomplete last line; grow the buffer when one line fills it.
      const rest = filled - start;
      const next = rest * 2 > buffer.length ? Buffer.allocUnsafe(buffer.length * 2) : buffer;
      buffer.copy(next, 0, start, filled);
      buffer = next;
      filled = rest;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Yields the file's lines as strings (without the newline).
 *
 * @param {string} path
 */
export function* textLines(path) {
  for (const bytes of byteLines(path)) yield bytes.toString('utf8');
}

/**
 * Yields batches as the CLI cuts them for the core: at most `lines` lines and `bytes` bytes
 * (a longer line goes alone), each batch one byte array with its lines' newlines, and the
 * 1-based number of its first line.
 */
export function* batches(path, { lines = 250, bytes = 1 << 20 } = {}) {
  let pieces = [];
  let size = 0;
  let firstLine = 1;
  let line = 1;
  const flush = () => {
    const out = Buffer.allocUnsafe(size);
    let offset = 0;
    for (const piece of pieces) {
      piece.copy(out, offset);
      offset += piece.length;
      out[offset] = 10;
      offset += 1;
    }
    const batch = { bytes: out, firstLine, lines: pieces.length };
    pieces = [];
    size = 0;
    return batch;
  };
  for (const piece of byteLines(path)) {
    if (pieces.length > 0 && (pieces.length >= lines || size + piece.length + 1 > bytes)) {
      const batch = flush();
      firstLine = line;
      yield batch;
    }
    pieces.push(Buffer.from(piece));
    size += piece.length + 1;
    line += 1;
  }
  if (pieces.length > 0) yield flush();
}
