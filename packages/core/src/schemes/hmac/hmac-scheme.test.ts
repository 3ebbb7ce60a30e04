import { describe, expect, it } from "vitest";
import { incomingWebhook } from "../../test-support/fixtures.js";
import { codeOf } from "../../test-support/outcome.js";
import type { OutgoingWebhook } from "../types.js";
import { describeConformance, hmacConformance } from "../providers/test-support/conformance.js";
import { hmacScheme } from "./hmac-scheme.js";

const incoming = (headers: Record<string, string>, body: Uint8Array | string, url = "https://receiver.test/hooks") =>
  incomingWebhook(headers, body, url);
const T = new Date(1_700_000_000_000);
const message = (body: Uint8Array | string, id = "msg_1"): OutgoingWebhook => ({
  id,
  timestamp: T,
  body,
  url: "https://receiver.test/hooks",
});

describeConformance(
  hmacConformance("hmacScheme", (keys) =>
    hmacScheme({
      ...keys,
      name: "acme",
      signatureHeader: "X-Acme-Signature",
      prefix: "sha512=",
      algorithm: "SHA-512",
      encoding: "base64",
      idHeader: "x-acme-id",
      timestampHeader: "x-acme-timestamp",
      signedContent: "{id}.{timestamp}.{body}",
    }),
  ),
);

describe("hmacScheme options", () => {
  it.each([
    [{ signedContent: "{timestamp}.body" }, "no {body}"],
    [{ signedContent: "{body}{body}" }, "body twice"],
    [{ signedContent: "{timestamp}.{body}" }, "{timestamp} without header"],
    [{ timestampHeader: "x-t" }, "timestamp header not signed"],
    [{ signedContent: "{id}.{body}" }, "{id} without header"],
    [{ signatureHeader: "bad header" }, "bad header name"],
    [{ encoding: "base32" }, "bad encoding"],
    [{ algorithm: "MD5" }, "bad algorithm"],
    [{ name: "" }, "no name"],
    [
      {
        signedContent: "{timestamp}.{body}",
        timestampHeader: "x-t",
        signatureParams: { separator: ",", signatureKey: "v1", timestampKey: "t" },
      },
      "two timestamps",
    ],
    [{ signatureParams: { separator: "ab", signatureKey: "v1" } }, "long separator"],
    [{ signatureParams: { separator: ",", signatureKey: "v1", timestampKey: "v1" } }, "same keys"],
    [{ idJsonField: "id", idHeader: "x-id" }, "two ids"],
  ] as [Record<string, unknown>, string][])("refuses %j (%s) when built", (override) => {
    const options = { name: "x", secret: "x-secret-not-real", signatureHeader: "x-sig", ...override } as Parameters<
      typeof hmacScheme
    >[0];
    expect(() => hmacScheme(options)).toThrow(expect.objectContaining({ code: "invalid_options" }));
  });

  it("reads key=value signature headers (Paddle-style ts=...;h1=...), several MACs and the id from the signed body", async () => {
    const options = {
      name: "paddle",
      signatureHeader: "Paddle-Signature",
      signatureParams: { separator: ";", signatureKey: "h1", timestampKey: "ts" },
      signedContent: "{timestamp}:{body}",
      idJsonField: "event_id",
    } as const;
    const scheme = hmacScheme({ ...options, secret: "pdl_ntfset_not_real" });
    const body = '{"event_id":"evt_01h","data":{}}';
    const headers = await scheme.sign(message(body));
    expect(headers["paddle-signature"]).toMatch(/^ts=1700000000;h1=[0-9a-f]{64}$/);
    const other = (await hmacScheme({ ...options, secret: "pdl_ntfset_old_not_real" }).sign(message(body)))[
      "paddle-signature"
    ]?.split(";")[1];
    const result = await scheme.verify(
      incoming({ "paddle-signature": `${other};${headers["paddle-signature"]}` }, body),
    );
    expect(result.id).toBe("evt_01h");
    expect(result.replayKey).toBeUndefined();
    expect(result.timestamp?.getTime()).toBe(T.getTime());
    expect(await codeOf(scheme.verify(incoming({ "paddle-signature": `h1=${"0".repeat(64)}` }, body)))).toBe(
      "malformed_header",
    );
  });

  it("refuses ids containing a signed separator, received or sent", async () => {
    const scheme = hmacScheme({
      name: "x",
      secret: "x-secret-not-real",
      signatureHeader: "x-sig",
      idHeader: "x-id",
      signedContent: "{id}:{body}",
    });
    expect(await codeOf(scheme.sign(message("b", "a:b")))).toBe("invalid_options");
    const headers = await scheme.sign(message("b", "ab"));
    expect(await codeOf(scheme.verify(incoming({ ...headers, "x-id": "a:b" }, "b")))).toBe("malformed_header");
    await expect(scheme.verify(incoming(headers, "b"))).resolves.toMatchObject({ id: "ab" });
  });

  it("decodes base64 and hex secrets", async () => {
    const a = hmacScheme({
      name: "x",
      secret: "YS1zZWNyZXQtb2YtMjAtYnl0ZXM=",
      secretEncoding: "base64",
      signatureHeader: "x-sig",
    });
    const b = hmacScheme({
      name: "x",
      secret: "612d7365637265742d6f662d32302d6279746573",
      secretEncoding: "hex",
      signatureHeader: "x-sig",
    });
    const c = hmacScheme({ name: "x", secret: "a-secret-of-20-bytes", signatureHeader: "x-sig" });
    const headers = await a.sign(message("hello"));
    expect(await b.sign(message("hello"))).toEqual(headers);
    await expect(c.verify(incoming(headers, "hello"))).resolves.toMatchObject({ keyId: expect.any(String) });
  });

  it("refuses a signature without its prefix", async () => {
    const scheme = hmacScheme({ name: "x", secret: "x-secret-not-real", signatureHeader: "x-sig", prefix: "sha256=" });
    const headers = await scheme.sign(message("b"));
    expect(await codeOf(scheme.verify(incoming({ "x-sig": (headers["x-sig"] as string).slice(7) }, "b")))).toBe(
      "malformed_header",
    );
  });
});
