/** Reads a V8 sampling heap profile (the .heapprofile format) into bytes allocated per function. */
import { label, type CpuProfileNode } from "./cpu-profile.js";

export interface HeapProfileNode {
  callFrame: CpuProfileNode["callFrame"];
  selfSize: number;
  children: HeapProfileNode[];
}

export interface HeapProfile {
  head: HeapProfileNode;
}

export interface Allocator {
  name: string;
  percent: number;
  bytes: number;
}

/** Top `n` functions by bytes they allocated themselves, and by bytes allocated under them. */
export function allocators(
  profile: HeapProfile,
  n: number,
  inclusiveFilter: (name: string) => boolean = (name) =>
    / (src|bench)\//.test(name) || name.includes("@nats-io/") || name.includes("@opentelemetry/"),
): { self: Allocator[]; inclusive: Allocator[]; total: number } {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapProfileNode, stack: string[]): number => {
    const name = label({ id: 0, callFrame: node.callFrame });
    let under = node.selfSize;
    self.set(name, (self.get(name) ?? 0) + node.selfSize);
    total += node.selfSize;
    const inner = [...stack, name];
    for (const child of node.children) under += walk(child, inner);
    // Each function once per stack, however deep it recurses.
    if (!stack.includes(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + under);
    return under;
  };
  walk(profile.head, []);
  const rank = (m: Map<string, number>, keep: (name: string) => boolean): Allocator[] =>
    [...m]
      .filter(([name]) => keep(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, bytes]) => ({ name, bytes, percent: (bytes / (total || 1)) * 100 }));
  return { self: rank(self, () => true), inclusive: rank(inclusive, inclusiveFilter), total };
}
