#!/usr/bin/env node
import { ConfigError } from "./config/load-config.js";
import { main } from "./main/cli.js";

main(process.argv.slice(2)).catch((err: unknown) => {
  // A configuration problem is one clear line, not a stack trace.
  if (err instanceof ConfigError) {
    process.stderr.write(`cbs-snapshot-bot: ${err.message}\n`);
  } else {
    process.stderr.write(
      `cbs-snapshot-bot: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  process.exit(1);
});
