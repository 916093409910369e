import type { z } from "zod";

/** A configuration problem, phrased as one line that names the field and says what is expected. */
export class ConfigError extends Error {
  readonly code = "config.invalid";
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export function describeIssues(where: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  return `${where}: ${lines.join("; ")}`;
}
