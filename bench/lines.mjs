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
  for (const { buffer, start, end } of regions(path, () => true)) {
    let at = start;
    for (let newline = buffer.indexOf(10, at); newline >= 0 && newline < end; newline = buffer.indexOf(10, at)) {
      yield buffer.subarray(at, newline);
      at = newline + 1;
    }
    if (at < end) yield buffer.subarray(at, end);
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
  let firstLine = 1;
  let count = 1;
  const cut = (size, more) => count >= lines || size + more > bytes;
  for (const region of regions(path, (size, more) => {
    const full = cut(size, more);
    count = full ? 1 : count + 1;
    return full;
  })) {
    const batch = { bytes: Buffer.from(region.buffer.subarray(region.start, region.end)), firstLine, lines: region.lines };
    firstLine += region.lines;
    yield batch;
  }
}

/**
 * Reads the file in large pieces and yields runs of whole lines (newlines included), each as a
 * region of a buffer that is reused afterwards. `cut(size, lineBytes)` is asked before each line
 * is added to a run of `size` bytes that holds at least one line, and ends the run when it says
 * so; the last run ends with the file.
 */
function* regions(path, cut) {
  const fd = openSync(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(READ_BYTES);
    let filled = 0;
    let at = 0;
    let lines = 0;
    for (;;) {
      const read = readSync(fd, buffer, filled, buffer.length - filled, null);
      filled += read;
      const view = buffer.subarray(0, filled);
      let start = 0;
      for (let newline = view.indexOf(10, at); newline >= 0; newline = view.indexOf(10, at)) {
        if (lines > 0 && cut(at - start, newline + 1 - at)) {
          yield { buffer, start, end: at, lines };
          start = at;
          lines = 0;
        }
        at = newline + 1;
        lines += 1;
      }
      if (read === 0) {
        if (at < filled) {
          if (lines > 0 && cut(at - start, filled - at)) {
            yield { buffer, start, end: at, lines };
            start = at;
            lines = 0;
          }
          at = filled;
          lines += 1;
        }
        if (lines > 0) yield { buffer, start, end: at, lines };
        return;
      }

      // Keep the run being gathered and the incomplete line after it; grow the buffer when
      // they fill half of it.
      const rest = filled - start;
      const next = rest * 2 > buffer.length ? Buffer.allocUnsafe(buffer.length * 2) : buffer;
      buffer.copy(next, 0, start, filled);
      buffer = next;
      filled = rest;
      at -= start;
    }
  } finally {
    closeSync(fd);
  }
}
