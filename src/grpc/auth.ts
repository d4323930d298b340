/**
 * Bearer-token authentication for the gateway: every call must carry
 * `authorization: Bearer <token>` with one of the configured tokens, or it ends with
 * UNAUTHENTICATED before its handler runs (streams included). Methods listed as open (the
 * health service, so probes need no secret) skip the check.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import {
  ServerInterceptingCall,
  status,
  type Metadata,
  type ServerInterceptor,
} from "@grpc/grpc-js";
import { ConfigError } from "../errors.js";

// Header values must be visible ASCII; a token with spaces could not follow "Bearer ".
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/**
 * Tokens from text holding one per line. Blank lines and lines starting with `#` are skipped;
 * `name` (the setting) is used in errors.
 */
export function parseTokens(text: string, name: string): string[] {
  const tokens: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (!TOKEN_PATTERN.test(line)) {
      throw new ConfigError(
        name,
        `token ${i + 1} must be printable ASCII without spaces (as an HTTP header allows)`,
      );
    }
    tokens.push(line);
  });
  return tokens;
}

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/** Checks `authorization` header values against a fixed set of tokens in constant time. */
export class TokenChecker {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** True when `header` is `Bearer <token>` (scheme case-insensitive) with a known token. */
  check(header: string | undefined): boolean {
    if (header === undefined) return false;
    const m = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) return false;
    const given = digest(m[1]);
    let ok = false;
    // Compare with every token so timing does not reveal which one (or whether any) matched.
    for (const d of this.digests) ok = timingSafeEqual(d, given) || ok;
    return ok;
  }

  /** Checks the call's metadata; undefined when allowed, else why not. */
  reject(metadata: Metadata): string | undefined {
    const values = metadata.get("authorization");
    if (values.length === 0) return "missing bearer token (metadata authorization: Bearer <token>)";
    const value = values[0];
    if (values.length > 1 || typeof value !== "string" || !this.check(value)) {
      return "invalid bearer token";
    }
    return undefined;
  }
}

/**
 * A server interceptor that ends calls without a valid token with UNAUTHENTICATED.
 * `openMethods` holds full method paths (`/grpc.health.v1.Health/Check`) that skip the check.
 */
export function authInterceptor(
  checker: TokenChecker,
  openMethods: ReadonlySet<string> = new Set(),
): ServerInterceptor {
  return (method, call) => {
    if (!checker.enabled || openMethods.has(method.path)) return new ServerInterceptingCall(call);
    let denied = false;
    return new ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, mdNext) => {
            const reason = checker.reject(metadata);
            if (reason === undefined) {
              mdNext(metadata);
              return;
            }
            denied = true;
            call.sendStatus({ code: status.UNAUTHENTICATED, details: reason });
          },
          // A denied call's messages never reach the handler.
          onReceiveMessage: (message, msgNext) => {
            if (!denied) msgNext(message);
          },
          onReceiveHalfClose: (hcNext) => {
            if (!denied) hcNext();
          },
        });
      },
    });
  };
}
