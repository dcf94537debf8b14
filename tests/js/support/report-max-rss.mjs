// Preloaded with `node --import` by the memory test: reports the process's peak resident set
// size on standard error as it exits.
process.on('exit', () => {
  process.stderr.write(`max-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
