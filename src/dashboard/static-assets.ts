import { readFile } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { HttpError, type HttpReply } from "../http/server.js";

/** Beside this module both in src/ and, copied by `npm run build`, in dist/. */
export const ASSETS_DIR = fileURLToPath(new URL("./assets/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

const HEADERS = {
  // Assets change with the installed version only; revalidate rather than guess an age.
  "cache-control": "no-cache",
  "x-content-type-options": "nosniff",
  // The UI uses no inline script or remote origin; task data can never run as code.
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
};

/** Serves one file of the assets folder; anything outside it, or of an unknown type, is a 404. */
export async function serveAsset(relative: string, dir = ASSETS_DIR): Promise<HttpReply> {
  const root = resolve(dir);
  const path = resolve(root, relative);
  const type = TYPES[extname(path)];
  if (!path.startsWith(root + sep) || type === undefined) {
    throw new HttpError(404, `no dashboard asset ${relative}`);
  }
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch {
    throw new HttpError(404, `no dashboard asset ${relative}`);
  }
  return { text, contentType: type, headers: HEADERS };
}
