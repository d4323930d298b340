import type { BatonConnection } from "../nats/connection.js";
import { utf8 } from "../nats/utf8.js";
import type { TaskRecord } from "../types.js";
import type { Versioned } from "./task-store.js";

/**
 * How many sub-task ids a parent's record lists itself. Past it, each link is a key of its own in
 * the links bucket: a record listing every child would be rewritten whole on each link (quadratic
 * in the children) and outgrow the server's max_payload (1 MiB) at about 36,000 of them.
 */
export const CHILDREN_IN_RECORD = 1000;

const LINKED = utf8("1");

/** The links-bucket key of one link. Task ids are single NATS tokens. */
export function linkKey(parentId: string, childId: string): string {
  return `${parentId}.${childId}`;
}

/**
 * Lists in `record` the ids it does not list yet, up to `cap`, and marks it `moreChildren` when
 * some do not fit. Returns whether the record changed, and the ids past the cap (to be stored in
 * the links bucket; some may be there already).
 */
export function addChildren(
  record: TaskRecord,
  ids: readonly string[],
  cap = CHILDREN_IN_RECORD,
): { changed: boolean; overflow: string[] } {
  const listed = new Set(record.children ?? []);
  const fresh = [...new Set(ids)].filter((id) => !listed.has(id));
  const room = Math.max(0, cap - listed.size);
  const fits = fresh.slice(0, room);
  const overflow = fresh.slice(room);
  let changed = false;
  if (fits.length > 0) {
    record.children = [...(record.children ?? []), ...fits];
    changed = true;
  }
  if (overflow.length > 0 && !record.moreChildren) {
    record.moreChildren = true;
    changed = true;
  }
  return { changed, overflow };
}

/**
 * Links sub-tasks to their parent: in its record while there is room (one CAS write from
 * `start`), then one links-bucket key each. Resolves with the record's new version, if written.
 */
export async function linkChildren(
  conn: BatonConnection,
  parentId: string,
  ids: readonly string[],
  start?: Versioned,
): Promise<Versioned | undefined> {
  const put = (unlisted: readonly string[]): Promise<unknown> =>
    Promise.all(unlisted.map((id) => conn.links.put(linkKey(parentId, id), LINKED)));
  const known = start?.record;
  if (known?.moreChildren && (known.children?.length ?? 0) >= CHILDREN_IN_RECORD) {
    // Full for good (children are never unlinked): no read, copy or write of the record.
    const listed = new Set(known.children);
    await put(ids.filter((id) => !listed.has(id)));
    return undefined;
  }
  let overflow: string[] = [];
  const linked = await conn.tasks.mutate(
    parentId,
    (r) => {
      const added = addChildren(r, ids);
      overflow = added.overflow;
      return added.changed ? r : undefined;
    },
    start,
  );
  await put(overflow);
  return linked;
}

/** Every sub-task of `record`: those it lists, then those in the links bucket. */
export async function childIds(conn: BatonConnection, record: TaskRecord): Promise<string[]> {
  const ids = [...(record.children ?? [])];
  if (!record.moreChildren) return ids;
  const seen = new Set(ids);
  const prefix = `${record.id}.`;
  for await (const key of await conn.links.keys(`${prefix}*`)) {
    const id = key.slice(prefix.length);
    if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  }
  return ids;
}
