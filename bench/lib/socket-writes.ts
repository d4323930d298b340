/** Counts every socket write of this process (each is a syscall that nothing batched). */
import net from "node:net";

let writes = 0;
let bytes = 0;
let installed = false;

/** Starts counting (once per process); read the count with socketWrites(). */
export function countSocketWrites(): void {
  if (installed) return;
  installed = true;
  const socket = net.Socket.prototype as unknown as {
    write: (this: net.Socket, ...rest: unknown[]) => boolean;
  };
  const write = socket.write;
  socket.write = function (this: net.Socket, ...rest: unknown[]): boolean {
    writes++;
    const data = rest[0];
    if (data instanceof Uint8Array || typeof data === "string") bytes += data.length;
    return write.apply(this, rest);
  };
}

export function socketWrites(): number {
  return writes;
}

/** Bytes written to sockets since counting started (a string counts its length). */
export function socketBytes(): number {
  return bytes;
}
