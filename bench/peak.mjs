// Preloaded with `node --import ./bench/peak.mjs`: writes the process's peak resident memory
// to standard error as it exits, as one line of JSON.

process.on('exit', () => {
  const rss = process.resourceUsage().maxRSS * 1024;
  process.stderr.write(JSON.stringify({ max_rss_bytes: rss }) + '\n');
});
