// HubSpot signature v3: @hubspot/api-client's Signature helper (getSignature builds it, isValid
// checks it) against our hubspot preset. The helper signs whatever URI it is given; HubSpot's docs
// say the URI is signed with %3A %2F %3F %40 ... decoded, so the SDK gets the decoded URI while our
// receiver sees the URL as the request carried it.
// https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation
import { hubspot } from "@hooksec/core";
import { Signature } from "@hubspot/api-client";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { receive, refusalCode, tamper } from "./support/receive.js";

const clientSecret = "hubspot-client-secret-interop-not-real";
const scheme = hubspot({ secret: clientSecret });
const URL = "https://receiver.test/hubspot/webhooks?portal=62515";
const body = fc.json({ maxDepth: 2 });

function sdkValid(headers: Record<string, string>, requestBody: string, url: string, method = "POST"): boolean {
  return Signature.isValid({
    signatureVersion: "v3",
    signature: headers["x-hubspot-signature-v3"] as string,
    clientSecret,
    requestBody,
    url,
    method,
    timestamp: Number(headers["x-hubspot-request-timestamp"]),
  });
}

function sdkSigned(requestBody: string, url: string, timestamp: number): Record<string, string> {
  const signature = Signature.getSignature("POST", "v3", { signature: "", clientSecret, requestBody, url, timestamp });
  return { "x-hubspot-signature-v3": signature, "x-hubspot-request-timestamp": String(timestamp) };
}

describe("hubspot: @hubspot/api-client Signature (v3)", () => {
  it("Signature.isValid accepts what our preset signs, and refuses a changed body or method", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const headers = await scheme.sign({ id: "x", timestamp: new Date(), body: payload, url: URL });
        expect(sdkValid(headers, payload, URL)).toBe(true);
        expect(sdkValid(headers, tamper(payload), URL)).toBe(false);
        expect(sdkValid(headers, payload, URL, "PUT")).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it("we accept what Signature.getSignature signs, with its millisecond timestamp, and refuse it tampered", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const now = Date.now();
        const headers = sdkSigned(payload, URL, now);
        const webhook = await receive(scheme, { headers, body: payload, url: URL, now });
        expect(webhook.timestamp?.getTime()).toBe(now);
        expect(await refusalCode(receive(scheme, { headers, body: tamper(payload), url: URL, now }))).toBe(
          "invalid_signature",
        );
        expect(await refusalCode(receive(scheme, { headers, body: payload, url: `${URL}&extra=1`, now }))).toBe(
          "invalid_signature",
        );
      }),
      { numRuns: 100 },
    );
  });

  it("a URI with encoded reserved characters: the SDK signs it decoded, we verify the URL as received", async () => {
    const received = "https://receiver.test/hubspot/webhooks?email=a%40b.test&at=12%3A30&list=%28a%2Cb%29";
    const decoded = "https://receiver.test/hubspot/webhooks?email=a@b.test&at=12:30&list=(a,b)";
    const payload = '[{"eventId":1,"subscriptionType":"contact.creation"}]';
    const now = Date.now();
    const headers = sdkSigned(payload, decoded, now);
    await expect(receive(scheme, { headers, body: payload, url: received, now })).resolves.toMatchObject({
      timestamped: true,
    });
    const ours = await scheme.sign({ id: "x", timestamp: new Date(now), body: payload, url: received });
    expect(ours).toEqual(headers);
    expect(sdkValid(ours, payload, decoded)).toBe(true);
  });

  it("both refuse another client secret", async () => {
    const payload = '[{"eventId":1}]';
    const headers = await hubspot({ secret: "another-hubspot-client-secret" }).sign({
      id: "x",
      timestamp: new Date(),
      body: payload,
      url: URL,
    });
    expect(sdkValid(headers, payload, URL)).toBe(false);
    expect(await refusalCode(receive(scheme, { headers, body: payload, url: URL }))).toBe("invalid_signature");
  });
});
