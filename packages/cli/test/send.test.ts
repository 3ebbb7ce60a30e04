import { once } from "node:events";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import type { TLSSocket } from "node:tls";
import { join } from "node:path";
import { createVerifier, standardWebhooks, WebhookError } from "@hooksec/core";
import { hasOpenssl, requireBinaries } from "@hooksec/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hooksec, json, tempDir } from "./run-cli.js";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const body = '{"type":"invoice.paid","id":"inv_1"}';
const verifier = createVerifier({ scheme: standardWebhooks({ secret }) });

interface Received {
  readonly id?: string;
  readonly code?: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  readonly peerSubject?: string;
}

/** A receiver that verifies every request with core and answers `status` (204 by default). */
function receiver(received: Received[], answer: () => number) {
  return async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const bytes = new Uint8Array(Buffer.concat(chunks));
    const socket = request.socket as Partial<TLSSocket>;
    const peer = socket.getPeerCertificate?.();
    const peerSubject = peer?.subject === undefined ? undefined : `${peer.subject.CN}`;
    try {
      const webhook = await verifier.verifyParts({
        method: "POST",
        url: `http://127.0.0.1${request.url}`,
        headers: request.headers,
        body: bytes,
      });
      received.push({ id: webhook.id, headers: request.headers, body: webhook.text(), peerSubject });
      response.statusCode = answer();
      // A failed answer gives the message back, so the sender's retry is processed.
      if (response.statusCode >= 200 && response.statusCode < 300) await webhook.complete();
      else await webhook.release();
    } catch (error) {
      received.push({
        code: error instanceof WebhookError ? error.code : "crash",
        headers: request.headers,
        body: "",
        peerSubject,
      });
      response.statusCode = 401;
    }
    response.end();
  };
}

async function listen(server: Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

interface Delivery {
  status: string;
  id: string;
  attempts: number;
  lastStatus?: number;
  code?: string;
  detail?: string;
}

describe("hooksec send over http on loopback", () => {
  const received: Received[] = [];
  let status = 204;
  const server = createHttpServer((request, response) => void receiver(received, () => status)(request, response));
  let url = "";
  beforeAll(async () => {
    url = `http://127.0.0.1:${await listen(server)}/webhooks`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    received.length = 0;
    status = 204;
  });
  const base = () => ["send", url, "--scheme", "standard-webhooks", "--secret", secret, "--body", body, "--json"];
  const local = ["--allow-http", "--allow-cidr", "127.0.0.0/8"];

  it.sequential("delivers a signed webhook the receiver verifies with core (exit 0)", async () => {
    const result = await hooksec([...base(), ...local, "--id", "msg_send_1", "--auth-bearer", "t0ken"]);
    expect(result.code, result.stderr).toBe(0);
    expect(json<Delivery>(result)).toMatchObject({
      status: "delivered",
      id: "msg_send_1",
      attempts: 1,
      lastStatus: 204,
    });
    expect(result.stderr).toMatch(/attempt 1: delivered 204/);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ id: "msg_send_1", body });
    expect(received[0]?.headers.authorization).toBe("Bearer t0ken");
    expect(received[0]?.headers["content-type"]).toBe("application/json");
  });

  it.sequential.each([
    [["--auth-api-key", "x-api-key=k3y"], "x-api-key", "k3y"],
    [["--auth-basic", "client:s3cret"], "authorization", `Basic ${Buffer.from("client:s3cret").toString("base64")}`],
    [["--auth-bearer-env", "HOOKSEC_TEST_TOKEN"], "authorization", "Bearer from-env"],
    [["--header", "x-tenant: 42"], "x-tenant", "42"],
  ])("authenticates with %j", async (args, header, value) => {
    const result = await hooksec([...base(), ...local, ...args], { env: { HOOKSEC_TEST_TOKEN: "from-env" } });
    expect(result.code, result.stderr).toBe(0);
    expect(received[0]?.headers[header]).toBe(value);
    expect(received[0]?.id).toBeDefined();
  });

  it.sequential("reads --auth-basic and --auth-api-key (and the bearer token) from the environment or a file instead of the command line", async () => {
    const files = tempDir();
    try {
      const basicFile = join(files.dir, "basic");
      const keyFile = join(files.dir, "key");
      const tokenFile = join(files.dir, "token");
      writeFileSync(basicFile, "client:from-file\n", { mode: 0o600 });
      writeFileSync(keyFile, "k3y-from-file\r\n", { mode: 0o600 });
      writeFileSync(tokenFile, "t0ken-from-file", { mode: 0o600 });
      const basic = (pair: string) => `Basic ${Buffer.from(pair).toString("base64")}`;
      const cases: [string[], string, string][] = [
        [["--auth-basic-env", "HOOKSEC_TEST_BASIC"], "authorization", basic("client:from-env")],
        [["--auth-basic-file", basicFile], "authorization", basic("client:from-file")],
        [["--auth-api-key-env", "x-api-key=HOOKSEC_TEST_KEY"], "x-api-key", "k3y-from-env"],
        [["--auth-api-key-file", `x-api-key=${keyFile}`], "x-api-key", "k3y-from-file"],
        [["--auth-bearer-file", tokenFile], "authorization", "Bearer t0ken-from-file"],
      ];
      for (const [args, header, value] of cases) {
        received.length = 0;
        const result = await hooksec([...base(), ...local, ...args], {
          env: { HOOKSEC_TEST_BASIC: "client:from-env", HOOKSEC_TEST_KEY: "k3y-from-env" },
        });
        expect(result.code, result.stderr).toBe(0);
        expect(received[0]?.headers[header]).toBe(value);
      }
    } finally {
      files.remove();
    }
  });

  it("says in its help why secrets belong in the environment or a file", async () => {
    const result = await hooksec(["send", "--help"]);
    expect(result.code).toBe(0);
    for (const option of [
      "--auth-basic-env",
      "--auth-basic-file",
      "--auth-api-key-env",
      "--auth-api-key-file",
      "--client-secret-file",
    ]) {
      expect(result.stdout).toContain(option);
    }
    expect(result.stdout).toMatch(/visible to\s+other users of the machine in `ps`/);
    expect(result.stdout).toContain("shell history");
  });

  it.sequential("authenticates with an OAuth2 client credentials token from a token endpoint", async () => {
    const tokenRequests: { authorization?: string; form: string }[] = [];
    const tokenServer = createHttpServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      tokenRequests.push({
        authorization: request.headers.authorization,
        form: Buffer.concat(chunks).toString("utf8"),
      });
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ access_token: "oauth-token-1", token_type: "Bearer", expires_in: 3600 }));
    });
    const port = await listen(tokenServer);
    try {
      const result = await hooksec(
        [
          ...base(),
          ...local,
          "--auth-oauth2",
          `http://127.0.0.1:${port}/token`,
          "--client-id",
          "sender",
          "--client-secret-env",
          "HOOKSEC_TEST_CLIENT_SECRET",
          "--scope",
          "webhooks",
        ],
        { env: { HOOKSEC_TEST_CLIENT_SECRET: "client-s3cret" } },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(tokenRequests).toHaveLength(1);
      expect(tokenRequests[0]?.authorization).toBe(`Basic ${Buffer.from("sender:client-s3cret").toString("base64")}`);
      expect(new URLSearchParams(tokenRequests[0]?.form).get("grant_type")).toBe("client_credentials");
      expect(new URLSearchParams(tokenRequests[0]?.form).get("scope")).toBe("webhooks");
      expect(received[0]?.headers.authorization).toBe("Bearer oauth-token-1");
      expect(received[0]?.id).toBeDefined();
    } finally {
      await new Promise((resolve) => tokenServer.close(resolve));
    }
  });

  it.sequential("refuses http without --allow-http (invalid_endpoint, exit 1) without connecting", async () => {
    const result = await hooksec([...base(), "--allow-cidr", "127.0.0.0/8"]);
    expect(result.code).toBe(1);
    expect(json<Delivery>(result)).toMatchObject({ status: "refused", code: "invalid_endpoint" });
    expect(received).toHaveLength(0);
  });

  it.sequential("refuses loopback without --allow-cidr (ssrf_blocked, exit 1) without connecting", async () => {
    const result = await hooksec([...base(), "--allow-http"]);
    expect(result.code).toBe(1);
    expect(json<Delivery>(result)).toMatchObject({ status: "refused", code: "ssrf_blocked" });
    const text = await hooksec([
      ...base().filter((arg) => arg !== "--json"),
      "--allow-http",
      "--allow-cidr",
      "10.0.0.0/8",
    ]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^refused: ssrf_blocked\n/);
    expect(received).toHaveLength(0);
  });

  it.sequential("fails (exit 1) when the receiver refuses, retrying only what is retryable", async () => {
    status = 400;
    const rejected = await hooksec([...base(), ...local, "--retries", "2"]);
    expect(rejected.code).toBe(1);
    expect(json<Delivery>(rejected)).toMatchObject({ status: "failed", attempts: 1, lastStatus: 400 });
    status = 410;
    const gone = await hooksec([...base(), ...local]);
    expect(gone.code).toBe(1);
    expect(json<Delivery>(gone)).toMatchObject({ status: "gone", lastStatus: 410 });
  });

  it.sequential("retries a 503 and keeps the message id", async () => {
    let calls = 0;
    status = 204;
    const answers = [503, 204];
    const flaky = createHttpServer(
      (request, response) => void receiver(received, () => answers[calls++] ?? 204)(request, response),
    );
    const port = await listen(flaky);
    try {
      const result = await hooksec([
        "send",
        `http://127.0.0.1:${port}/`,
        "--scheme",
        "standard-webhooks",
        "--secret",
        secret,
        "--body",
        body,
        "--json",
        ...local,
        "--retries",
        "1",
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(json<Delivery>(result)).toMatchObject({ status: "delivered", attempts: 2, lastStatus: 204 });
      expect(received.map((entry) => entry.id)).toEqual([received[0]?.id, received[0]?.id]);
    } finally {
      await new Promise((resolve) => flaky.close(resolve));
    }
  });

  // A signed send to one URL, with the options under test after it.
  const sendWith = (...options: string[]) => [
    "send",
    "https://127.0.0.1/",
    "--scheme",
    "svix",
    "--secret",
    secret,
    "--body",
    body,
    ...options,
  ];
  it.each([
    [["send", "--scheme", "svix", "--secret", secret, "--body", body], "URL"],
    [sendWith("--auth-bearer", "a", "--auth-basic", "b:c"), "one outbound authentication"],
    [sendWith("--auth-api-key", "novalue"), "header=value"],
    [sendWith("--auth-api-key-env", "NAME"), "header=NAME"],
    [
      sendWith("--auth-basic", "a:b", "--auth-basic-env", "X"),
      "give one of --auth-basic, --auth-basic-env and --auth-basic-file",
    ],
    [sendWith("--auth-basic-env", "HOOKSEC_TEST_UNSET"), "not set"],
    [sendWith("--auth-api-key", "h=v", "--auth-api-key-file", "h=f"), "give one of --auth-api-key"],
    [sendWith("--auth-basic-env", "X", "--auth-bearer-file", "f"), "one outbound authentication"],
    [sendWith("--auth-oauth2", "https://127.0.0.1/token"), "--client-id"],
    [sendWith("--auth-oauth2", "https://127.0.0.1/token", "--client-id", "c"), "--client-secret"],
    [sendWith("--client-id", "c"), "go with --auth-oauth2"],
    [sendWith("--cert", "c.pem"), "--cert and --key"],
    [sendWith("--retries", "x"), "--retries"],
    [
      ["send", "https://127.0.0.1/", "https://127.0.0.2/", "--scheme", "svix", "--secret", secret, "--body", body],
      "unexpected argument",
    ],
  ])("%j is a usage error (exit 2)", async (args, message) => {
    const result = await hooksec(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

// mTLS end to end: a CA, a client and a server certificate from `hooksec ca`, an https
// receiver on 127.0.0.1 that requires the client certificate, `hooksec send --cert --key --ca`.
const available = requireBinaries("the hooksec send mTLS test", { openssl: hasOpenssl() });

describe.runIf(available)("hooksec send with a client certificate", () => {
  const temp = tempDir();
  afterAll(() => temp.remove());

  it("presents the certificate `hooksec ca issue` made to a receiver that requires it", async () => {
    const ca = join(temp.dir, "ca");
    const pki = [
      ["ca", "init", "--out", ca],
      [
        "ca",
        "issue",
        "--ca",
        ca,
        "--subject",
        "/CN=payments-provider/O=Example/OU=tenant-42",
        "--out",
        join(temp.dir, "client"),
      ],
      ["ca", "server", "--ca", ca, "--name", "127.0.0.1", "--out", join(temp.dir, "server")],
    ];
    for (const args of pki) expect((await hooksec(args)).code).toBe(0);
    const received: Received[] = [];
    const server = createHttpsServer(
      {
        key: readFileSync(join(temp.dir, "server", "server.key")),
        cert: readFileSync(join(temp.dir, "server", "server.crt")),
        ca: readFileSync(join(ca, "ca.crt")),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (request, response) => void receiver(received, () => 204)(request, response),
    );
    const port = await listen(server);
    try {
      const send = [
        "send",
        `https://127.0.0.1:${port}/`,
        "--scheme",
        "standard-webhooks",
        "--secret",
        secret,
        "--body",
        body,
        "--allow-cidr",
        "127.0.0.0/8",
        "--ca",
        join(ca, "ca.crt"),
        "--retries",
        "0",
        "--json",
      ];
      const withCertificate = await hooksec([
        ...send,
        "--cert",
        join(temp.dir, "client", "client.crt"),
        "--key",
        join(temp.dir, "client", "client.key"),
      ]);
      expect(withCertificate.code, withCertificate.stderr).toBe(0);
      expect(json<Delivery>(withCertificate).status).toBe("delivered");
      expect(received).toHaveLength(1);
      expect(received[0]?.peerSubject).toBe("payments-provider");

      const without = await hooksec(send);
      expect(without.code).toBe(1);
      expect(json<Delivery>(without).status).toBe("failed");
      expect(received).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
