// Standard Webhooks signed here with node:crypto, independently of the published
// packages: each consumer must accept the valid one and refuse the tampered one.
import { createHmac, randomBytes, randomUUID } from "node:crypto";

/** A throwaway endpoint secret in the Standard Webhooks format (a test fixture, made per run). */
export const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString("base64")}`;

function sign(id, timestamp, body) {
  const key = Buffer.from(WEBHOOK_SECRET.slice("whsec_".length), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `v1,${signature}` };
}

async function post(url, headers, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.status, text: await response.text() };
}

/**
 * Posts one valid webhook (expects 2xx and its id echoed in the body) and the same one
 * with a byte of its body changed (expects 401) to `url`, over real HTTP.
 */
export async function expectValidAndTampered(url) {
  const id = `msg_${randomUUID()}`;
  const body = JSON.stringify({ type: "release.check", data: { url } });
  const headers = sign(id, Math.floor(Date.now() / 1000), body);
  const valid = await post(url, headers, body);
  if (valid.status < 200 || valid.status > 299 || !valid.text.includes(id)) {
    throw new Error(
      `${url}: a valid webhook got ${valid.status} ${valid.text.slice(0, 200)} (expected 2xx echoing ${id})`,
    );
  }
  const tampered = await post(url, headers, body.replace("release.check", "release.chock"));
  if (tampered.status !== 401) {
    throw new Error(`${url}: a tampered webhook got ${tampered.status} ${tampered.text.slice(0, 200)} (expected 401)`);
  }
}
