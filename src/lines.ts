/** Calls `onLine` for each line a text stream carries (without "\n" or "\r"), the last one too. */
export function forEachLine(
  stream: NodeJS.ReadableStream | null,
  onLine: (line: string) => void,
  onChunk?: (chunk: string) => void,
): void {
  if (!stream) return;
  let partial = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    onChunk?.(chunk);
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) onLine(line.replace(/\r$/, ""));
  });
  stream.on("end", () => {
    if (partial !== "") onLine(partial);
    partial = "";
  });
}
