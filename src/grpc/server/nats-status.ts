import type { NatsConnection } from "@nats-io/transport-node";

/** Whether a NATS connection is up right now, following its status events. */
export interface NatsStatusWatch {
  readonly connected: boolean;
  stop(): void;
}

/**
 * Follows `nc.status()`: a disconnect marks the connection down until it reconnects; a closed
 * connection stays down. `onChange` gets every transition.
 */
export function watchNatsStatus(
  nc: NatsConnection,
  onChange: (connected: boolean) => void,
): NatsStatusWatch {
  let connected = !nc.isClosed();
  let stopped = false;
  const set = (next: boolean): void => {
    if (stopped || next === connected) return;
    connected = next;
    onChange(next);
  };
  const events = nc.status();
  void (async () => {
    for await (const s of events) {
      if (s.type === "disconnect") set(false);
      else if (s.type === "reconnect") set(true);
      else if (s.type === "close") set(false);
    }
  })().catch(() => set(false));
  void nc.closed().then(() => set(false));
  return {
    get connected() {
      return connected && !nc.isClosed();
    },
    stop() {
      stopped = true;
      const stoppable = events as { stop?: () => void };
      stoppable.stop?.();
    },
  };
}
