/**
 * NATS request-reply baseline: a responder subscription on one connection answers each request
 * at once; the requester (its own connection, as Baton's client and worker have) sends with
 * nc.request and waits for the reply. No persistence: the floor of a NATS round trip.
 */
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { payload } from "../lib/stats.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const RESULT = encoder.encode(JSON.stringify({ ok: true }));

export class NatsRequestReply {
  /** Called as the responder handles a request, with its sequence number. */
  onStart: ((seq: number) => void) | undefined;

  private constructor(
    private readonly requester: NatsConnection,
    private readonly responder: NatsConnection,
    private readonly sub: Subscription,
    private readonly subject: string,
  ) {}

  static async start(o: { natsUrl: string; subject: string }): Promise<NatsRequestReply> {
    const requester = await connect({ servers: o.natsUrl, name: "rr-requester" });
    const responder = await connect({ servers: o.natsUrl, name: "rr-responder" });
    const ref: { system?: NatsRequestReply } = {};
    const sub = responder.subscribe(o.subject, {
      callback: (_err, msg) => {
        const body = JSON.parse(decoder.decode(msg.data)) as { seq: number };
        ref.system?.onStart?.(body.seq);
        msg.respond(RESULT);
      },
    });
    await responder.flush();
    ref.system = new NatsRequestReply(requester, responder, sub, o.subject);
    return ref.system;
  }

  /** One request carrying payload(seq); resolves when the reply arrives. */
  async request(seq: number): Promise<void> {
    await this.requester.request(
      this.subject,
      encoder.encode(JSON.stringify({ seq, input: payload(seq) })),
      { timeout: 30_000 },
    );
  }

  async stop(): Promise<void> {
    this.sub.unsubscribe();
    await this.requester.drain();
    await this.responder.drain();
  }
}
