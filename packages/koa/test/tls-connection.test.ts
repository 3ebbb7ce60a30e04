import { once } from "node:events";
import { request as httpsRequest, createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusalResponse } from "@hooksec/core/receiver";
import { type ConnectionInfo, type Receiver, WebhookError, type WebhookState, webhook } from "../src/index.js";
import { type TestCertificates, hasOpenssl, makeCertificates } from "./certificates.js";

const available = hasOpenssl();
if (!available && process.env.CI === "true") throw new Error("openssl is required for the TLS tests under CI");
if (!available) console.warn("skipping the Koa TLS tests: openssl is not installed");

describe.runIf(available)("webhook() with Node terminating TLS", () => {
  let certs: TestCertificates;
  let base: string;
  let close: () => void;
  const seen: ConnectionInfo[] = [];

  beforeAll(async () => {
    certs = makeCertificates("tenant-a");
    // A receiver that records what the adapter passed on about the connection.
    const recording: Receiver = {
      maxBodyBytes: 1024,
      verifier: {
        maxBodyBytes: 1024,
        verify: () => Promise.reject(new Error("not used")),
        verifyParts: () => Promise.reject(new Error("not used")),
      },
      admit: () => Promise.reject(new Error("not used")),
      receive: async (input) => {
        if ("connection" in input && input.connection !== undefined) seen.push(input.connection);
        return { handled: false, response: refusalResponse(new WebhookError("forbidden_ip", "recorded")) };
      },
    };
    const app = new Koa<WebhookState>();
    app.use(webhook(recording));
    const server = createHttpsServer(
      { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: false },
      app.callback(),
    );
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });

  afterAll(() => {
    close?.();
    certs?.cleanup();
  });

  function send(withClientCertificate: boolean): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        `${base}/webhooks`,
        {
          method: "POST",
          ca: certs.ca,
          ...(withClientCertificate ? { key: certs.clientKey, cert: certs.clientCert } : {}),
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
  }

  it("passes the client certificate as DER, whether TLS verified it, and the peer address", async () => {
    seen.length = 0;
    expect(await send(true)).toBe(403);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.remoteAddress).toBe("127.0.0.1");
    expect(seen[0]?.peerCertificateVerified).toBe(true);
    expect(Buffer.from(seen[0]?.peerCertificate as Uint8Array).equals(Buffer.from(certs.clientCertDer))).toBe(true);
  });

  it("passes no certificate when the client sent none", async () => {
    seen.length = 0;
    expect(await send(false)).toBe(403);
    expect(seen[0]?.peerCertificate).toBeUndefined();
    expect(seen[0]?.peerCertificateVerified).toBe(false);
  });
});
