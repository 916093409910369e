import { readFile } from "node:fs/promises";

/**
 * The console's static files live in `public/` beside this module (src/sandbox/public with tsx,
 * dist/src/sandbox/public after `npm run build`, which copies them). Only these names are served.
 */
const ASSETS: Readonly<Record<string, { file: string; contentType: string }>> = {
  "/": { file: "index.html", contentType: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", contentType: "text/html; charset=utf-8" },
  "/console.js": { file: "console.js", contentType: "text/javascript; charset=utf-8" },
  "/mrkdwn.js": { file: "mrkdwn.js", contentType: "text/javascript; charset=utf-8" },
  "/block-kit.js": { file: "block-kit.js", contentType: "text/javascript; charset=utf-8" },
  "/console.css": { file: "console.css", contentType: "text/css; charset=utf-8" },
  "/home.js": { file: "home.js", contentType: "text/javascript; charset=utf-8" },
  "/home.css": { file: "home.css", contentType: "text/css; charset=utf-8" },
  "/favicon.svg": { file: "favicon.svg", contentType: "image/svg+xml" },
};

const PUBLIC_DIR = new URL("./public/", import.meta.url);

export async function readConsoleAsset(
  pathname: string,
): Promise<{ body: Buffer; contentType: string } | undefined> {
  const asset = ASSETS[pathname];
  if (asset === undefined) return undefined;
  return { body: await readFile(new URL(asset.file, PUBLIC_DIR)), contentType: asset.contentType };
}
