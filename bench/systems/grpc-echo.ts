/**
 * Bare grpc-js baseline: a unary echo service on 127.0.0.1 with raw-bytes (de)serializers (no
 * proto), and a client on its own channel. The least a gRPC round trip costs in Node.
 */
import {
  Client,
  credentials,
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
} from "@grpc/grpc-js";

const ECHO_PATH = "/bench.Echo/Echo";
const raw = (b: Buffer): Buffer => b;

export class GrpcEcho {
  /** Called as the server handles a call, with the request (the latency scenario). */
  onCall: ((request: Buffer) => void) | undefined;

  private constructor(
    readonly address: string,
    private readonly server: Server,
    private readonly client: Client,
  ) {}

  static async start(): Promise<GrpcEcho> {
    const server = new Server();
    const ref: { echo?: GrpcEcho } = {};
    server.addService(
      {
        Echo: {
          path: ECHO_PATH,
          requestStream: false,
          responseStream: false,
          requestSerialize: raw,
          requestDeserialize: raw,
          responseSerialize: raw,
          responseDeserialize: raw,
        },
      },
      {
        Echo: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
          ref.echo?.onCall?.(call.request);
          callback(null, call.request);
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    const address = `127.0.0.1:${port}`;
    ref.echo = new GrpcEcho(address, server, new Client(address, credentials.createInsecure()));
    return ref.echo;
  }

  /** One unary call; resolves with the echoed bytes. */
  call(payload: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(ECHO_PATH, raw, raw, payload, (err, res) =>
        err || !res ? reject(err ?? new Error("empty echo")) : resolve(res),
      );
    });
  }

  stop(): void {
    this.client.close();
    this.server.forceShutdown();
  }
}
