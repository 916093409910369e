#!/usr/bin/env node
import { ConfigError, readProcessEnvironment } from "./config/load-config.js";
import { runAudit } from "./main/audit-cli.js";

/** `npm run audit -- --since 24h`: the audit trail as JSON lines (src/main/audit-cli.ts). */
runAudit(
  process.argv.slice(2),
  readProcessEnvironment(),
  (line) => process.stdout.write(`${line}\n`),
  // Said on stderr: stdout stays JSON lines for whatever reads them.
  (line) => process.stderr.write(`${line}\n`),
).catch((err: unknown) => {
  const message =
    err instanceof ConfigError
      ? err.message
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err);
  process.stderr.write(`audit: ${message}\n`);
  process.exit(2);
});
