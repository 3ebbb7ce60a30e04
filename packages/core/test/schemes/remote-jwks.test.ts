// jws with a remote JWKS served over real HTTP on loopback, through the default fetch:
// caching, refresh on an unknown kid after the cooldown, fail closed when the server is gone.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, jws } from "../../src/index.js";
import { codeOf } from "../../src/test-support/outcome.js";

let server: Server;
let url: string;
let published: JWK[] = [];
let requests = 0;

async function pair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid }, kid };
}

beforeAll(async () => {
  server = createServer((request, response) => {
    requests++;
    if (request.url !== "/.well-known/jwks.json") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("jws with a JWKS over HTTP on loopback", () => {
  it("fetches once, refreshes for a rotated key after the cooldown, and fails closed without the server", async () => {
    const first = await pair("k1");
    const second = await pair("k2");
    published = [first.publicJwk];
    const verifier = createVerifier({
      scheme: jws({ jwks: url, algorithms: ["ES256"], remote: { cooldownSeconds: 0.3 } }),
    });
    const deliver = async (key: Awaited<ReturnType<typeof pair>>, id: string) => {
      const { body } = await jws({ privateKey: key.privateKey, alg: "ES256", kid: key.kid }).encode({
        id,
        timestamp: new Date(),
        body: '{"type":"ping"}',
      });
      return verifier.verifyParts({
        method: "POST",
        url: "https://r.test/",
        headers: {},
        body: new TextEncoder().encode(body as string),
      });
    };

    await expect(deliver(first, "a")).resolves.toMatchObject({ id: "a", keyId: "k1" });
    await expect(deliver(first, "b")).resolves.toMatchObject({ id: "b" });
    expect(requests).toBe(1);

    published = [first.publicJwk, second.publicJwk];
    await new Promise((resolve) => setTimeout(resolve, 350));
    await expect(deliver(second, "c")).resolves.toMatchObject({ keyId: "k2" });
    expect(requests).toBe(2);

    const gone = jws({ jwks: url.replace("jwks.json", "missing.json"), algorithms: ["ES256"] });
    const { body } = await jws({ privateKey: first.privateKey, alg: "ES256", kid: "k1" }).encode({
      id: "d",
      timestamp: new Date(),
      body: "{}",
    });
    const incoming = {
      method: "POST",
      url: "https://r.test/",
      header: () => undefined,
      body: new TextEncoder().encode(body as string),
      tenant: undefined,
    };
    expect(await codeOf(gone.verify(incoming))).toBe("key_set_unavailable");
  });
});
