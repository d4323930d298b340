import { Metadata, status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import {
  BatonError,
  ConflictError,
  ErrorCode,
  FailedPreconditionError,
  IllegalTransitionError,
  PayloadTooLargeError,
  TaskNotFoundError,
  UnknownCapabilityError,
  ValidationError,
} from "../../src/errors.js";
import { parseTokens, TokenChecker } from "../../src/grpc/auth.js";
import {
  GrpcStatusError,
  isNatsUnavailable,
  serviceError,
  statusFromError,
} from "../../src/grpc/status.js";

function natsError(name: string, message = name): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

describe("statusFromError", () => {
  it("maps validation errors to INVALID_ARGUMENT with the proto field name", () => {
    const info = statusFromError(new ValidationError("options.retry.maxAttempts", "must be >= 1"));
    expect(info).toEqual({
      code: status.INVALID_ARGUMENT,
      details: "retry.max_attempts: must be >= 1",
      field: "retry.max_attempts",
      errorCode: "INVALID_ARGUMENT",
      internal: false,
    });
    expect(statusFromError(new UnknownCapabilityError("x"))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: "capability",
      errorCode: "UNKNOWN_CAPABILITY",
    });
    expect(statusFromError(new PayloadTooLargeError("input", 10, 5))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: "input",
      details: "input: 10 bytes exceeds the limit of 5 bytes",
    });
    expect(
      statusFromError(new ValidationError("limit", "too big"), {
        rename: (f) => (f === "limit" ? "page_size" : f),
      }).details,
    ).toBe("page_size: too big");
  });

  it("maps not found, preconditions, conflicts and unavailability", () => {
    expect(statusFromError(new TaskNotFoundError("T1")).code).toBe(status.NOT_FOUND);
    expect(statusFromError(new FailedPreconditionError("done")).code).toBe(
      status.FAILED_PRECONDITION,
    );
    expect(statusFromError(new IllegalTransitionError("T", "DEAD", "RUNNING")).code).toBe(
      status.FAILED_PRECONDITION,
    );
    expect(statusFromError(new ConflictError("T")).code).toBe(status.ABORTED);
    expect(
      statusFromError(new BatonError(ErrorCode.Unavailable, "NATS unavailable: x")),
    ).toMatchObject({ code: status.UNAVAILABLE, details: "NATS unavailable: x" });
    expect(statusFromError(new GrpcStatusError(status.UNIMPLEMENTED, "later")).code).toBe(
      status.UNIMPLEMENTED,
    );
  });

  it("treats NATS connection errors and timeouts, also as causes, as UNAVAILABLE", () => {
    for (const name of [
      "TimeoutError",
      "ConnectionError",
      "ClosedConnectionError",
      "NoResponders",
    ]) {
      expect(isNatsUnavailable(natsError(name))).toBe(true);
      expect(statusFromError(natsError(name, "timeout")).details).toBe("NATS unavailable: timeout");
    }
    const wrapped = new Error("submit failed", { cause: natsError("TimeoutError") });
    expect(statusFromError(wrapped).code).toBe(status.UNAVAILABLE);
    const js503 = Object.assign(natsError("JetStreamApiError", "jetstream unavailable"), {
      code: 503,
    });
    expect(isNatsUnavailable(js503)).toBe(true);
    expect(isNatsUnavailable(Object.assign(natsError("JetStreamApiError"), { code: 400 }))).toBe(
      false,
    );
  });

  it("hides unexpected errors behind INTERNAL", () => {
    const info = statusFromError(new TypeError("cannot read x of undefined at /src/secret.ts:1"));
    expect(info).toEqual({ code: status.INTERNAL, details: "internal error", internal: true });
    expect(statusFromError("a string").code).toBe(status.INTERNAL);
    expect(statusFromError(new BatonError(ErrorCode.Fenced, "fenced")).code).toBe(status.INTERNAL);
  });

  it("keeps only the first line of a message", () => {
    expect(statusFromError(new FailedPreconditionError("line one\nline two")).details).toBe(
      "line one",
    );
  });

  it("puts the Baton code and the field in trailing metadata", () => {
    const err = serviceError(statusFromError(new ValidationError("options.priority", "bad")));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toBe("priority: bad");
    expect(err.metadata).toBeInstanceOf(Metadata);
    expect(err.metadata?.get("baton-field")).toEqual(["priority"]);
    expect(err.metadata?.get("baton-error-code")).toEqual(["INVALID_ARGUMENT"]);
    expect(serviceError(statusFromError(new Error("x"))).metadata?.get("baton-field")).toEqual([]);
  });
});

describe("bearer tokens", () => {
  it("parses one token per line, skipping blanks and # comments", () => {
    expect(parseTokens("# comment\n\n  abc  \r\ndef\n   # indented comment\n", "f")).toEqual([
      "abc",
      "def",
    ]);
    expect(() => parseTokens("good\nhas space\n", "BATON_GATEWAY_TOKENS_FILE")).toThrow(
      /BATON_GATEWAY_TOKENS_FILE: token 2 must be printable ASCII/,
    );
  });

  it("accepts only `Bearer <known token>`", () => {
    const checker = new TokenChecker(["s3cret", "other"]);
    expect(checker.enabled).toBe(true);
    expect(checker.check("Bearer s3cret")).toBe(true);
    expect(checker.check("bearer other")).toBe(true);
    expect(checker.check("Bearer s3cret ")).toBe(true);
    expect(checker.check("Bearer s3cre")).toBe(false);
    expect(checker.check("s3cret")).toBe(false);
    expect(checker.check("Basic s3cret")).toBe(false);
    expect(checker.check("Bearer ")).toBe(false);
    expect(checker.check(undefined)).toBe(false);
    expect(new TokenChecker([]).enabled).toBe(false);
  });

  it("says why a call's metadata is rejected", () => {
    const checker = new TokenChecker(["t"]);
    const md = new Metadata();
    expect(checker.reject(md)).toMatch(/missing bearer token/);
    md.set("authorization", "Bearer nope");
    expect(checker.reject(md)).toBe("invalid bearer token");
    md.set("authorization", "Bearer t");
    expect(checker.reject(md)).toBeUndefined();
    md.add("authorization", "Bearer t");
    expect(checker.reject(md)).toBe("invalid bearer token");
  });
});
