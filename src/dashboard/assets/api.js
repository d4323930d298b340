// The dashboard's JSON API, relative to the page so a proxy may mount it under any prefix.

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * @param {Response} res
 * @returns {Promise<unknown>}
 */
async function parse(res) {
  const body = /** @type {unknown} */ (await res.json().catch(() => undefined));
  if (!res.ok) {
    const message =
      typeof body === "object" && body !== null && "error" in body
        ? String(body.error)
        : `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, message);
  }
  return body;
}

/**
 * @param {string} path e.g. "api/tasks?state=RUNNING"
 * @returns {Promise<unknown>}
 */
export async function getJson(path) {
  return parse(await fetch(path, { headers: { accept: "application/json" } }));
}

/**
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<unknown>}
 */
export async function postJson(path, body) {
  return parse(
    await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

/**
 * A path segment (task ids are ULIDs, but never trust that in a URL).
 * @param {string} s
 */
export const seg = (s) => encodeURIComponent(s);
