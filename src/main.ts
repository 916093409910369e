#!/usr/bin/env node
import { ConfigError } from "./config/load-config.js";
import { main } from "./main/cli.js";
import { writeFatal } from "./main/logger.js";

main(process.argv.slice(2)).catch((err: unknown) => {
  // A configuration problem is one clear line, not a stack trace.
  if (err instanceof ConfigError) {
    process.stderr.write(`cbs-snapshot-bot: ${err.message}\n`);
  } else {
    // One JSON line, like every other log line (the stack is a field, not raw lines).
    writeFatal("cbs-snapshot-bot: failed to start", err);
  }
  process.exit(1);
});
