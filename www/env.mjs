// What differs between the served page and the single-file build: where the worker's code and
// the sample events come from. The single-file build replaces this module with one that holds
// both inline (scripts/page.mjs).

/** A new worker running worker.mjs. */
export function startWorker(name) {
  return new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module', name });
}

/** The bundled sample events, as text. */
export async function sampleText() {
  const response = await fetch(new URL('../examples/sample.ndjson', import.meta.url));
  if (!response.ok) {
    throw new Error(`could not load the sample events: HTTP ${response.status} for ${response.url}`);
  }
  return response.text();
}
