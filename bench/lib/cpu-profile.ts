/** Reads a V8 CPU profile (the .cpuprofile format) into self and inclusive time per function. */

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Hotspot {
  name: string;
  percent: number;
}

export function label(node: CpuProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(src|bench)\//, "$1/");
  // Code run through tsx reports line 0 for everything: leave the line out then.
  const line = lineNumber > 0 ? `:${lineNumber + 1}` : "";
  return `${functionName || "(anonymous)"}${where ? ` ${where}${line}` : ""}`;
}

/** Top `n` functions by self time, and by inclusive time among Baton's and nats.js's frames. */
export function hotspots(
  profile: CpuProfile,
  n: number,
  inclusiveFilter: (name: string) => boolean = (name) =>
    / (src|bench)\//.test(name) || name.includes("@nats-io/"),
): { self: Hotspot[]; inclusive: Hotspot[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const timeOf = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...timeOf.values()].reduce((a, b) => a + b, 0) || 1;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, t] of timeOf) {
    const node = byId.get(id);
    if (!node) continue;
    const name = label(node);
    self.set(name, (self.get(name) ?? 0) + t);
    // Each function once per stack, however deep it recurses.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur);
      if (!frame) break;
      const f = label(frame);
      if (seen.has(f)) continue;
      seen.add(f);
      inclusive.set(f, (inclusive.get(f) ?? 0) + t);
    }
  }
  const rank = (m: Map<string, number>, keep: (name: string) => boolean): Hotspot[] =>
    [...m]
      .filter(([name]) => keep(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, t]) => ({ name, percent: (t / total) * 100 }));
  return { self: rank(self, () => true), inclusive: rank(inclusive, inclusiveFilter) };
}
