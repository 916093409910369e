import type { IncomingMessage, ServerResponse } from "node:http";
import { isRecord } from "./block-kit.js";

/** Form fields the Web API client sends JSON-encoded (it encodes any non-primitive value). */
const jsonEncodedFields = new Set(["blocks", "attachments", "view", "metadata"]);

const maxBodyBytes = 4 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBodyBytes) throw new Error(`request body larger than ${maxBodyBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export type ParsedArgs = { ok: true; args: Record<string, unknown> } | { ok: false; error: string };

/**
 * Parses Web API arguments the way Slack accepts them: form-encoded (the SDK's default, with
 * JSON-encoded `blocks`/`attachments`/`view`/`metadata`), JSON, or multipart; plus query string.
 */
export async function parseApiArgs(
  contentType: string | undefined,
  rawBody: string,
  query: URLSearchParams,
): Promise<ParsedArgs> {
  const args: Record<string, unknown> = {};
  for (const [key, value] of query) args[key] = value;
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (rawBody.length === 0) return { ok: true, args };

  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      return { ok: false, error: "invalid_json" };
    }
    if (!isRecord(parsed)) return { ok: false, error: "json_not_object" };
    return { ok: true, args: { ...args, ...parsed } };
  }

  let fields: Iterable<[string, unknown]>;
  if (type === "multipart/form-data") {
    try {
      const form = await new Response(rawBody, { headers: { "content-type": contentType ?? "" } }).formData();
      fields = [...form.entries()].map(([key, value]): [string, unknown] => [
        key,
        typeof value === "string" ? value : value.name,
      ]);
    } catch {
      return { ok: false, error: "invalid_form_data" };
    }
  } else {
    fields = new URLSearchParams(rawBody);
  }
  for (const [key, value] of fields) {
    args[key] = decodeJsonField(key, value);
  }
  return { ok: true, args };
}

function decodeJsonField(key: string, value: unknown): unknown {
  if (!jsonEncodedFields.has(key) || typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    // Left as a string: the method answers `invalid_blocks_format` / `invalid_arguments`.
    return value;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Parses an app's HTTP answer: JSON when it says (or looks like) JSON, else the text. */
export function parseAppAnswer(contentType: string | null, text: string): unknown {
  const looksJson = /^\s*[{[]/.test(text);
  if ((contentType ?? "").includes("json") || looksJson) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
