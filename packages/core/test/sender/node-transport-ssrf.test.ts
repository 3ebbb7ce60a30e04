// The Node transport resolves, checks every address and connects to the checked
// one. Here the resolver is a table and the connector records every attempt: a
// refused address must never reach it, and no socket is ever opened to anything
// but loopback.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { buildConnector } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSender, createVerifier, standardWebhooks } from "../../src/index.js";
import { createNodeTransport, type ConnectorFactory, type HostResolver } from "../../src/sender/transport/node.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const PUBLIC_V4 = "93.184.215.14";
const PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c";

const DNS: Record<string, readonly string[]> = {
  "public.test": [PUBLIC_V4],
  "public6.test": [PUBLIC_V6],
  "dual.test": [PUBLIC_V4, PUBLIC_V6],
  "loopback.test": ["127.0.0.1"],
  "loopback6.test": ["::1"],
  "private.test": ["10.0.0.7"],
  "private172.test": ["172.20.1.1"],
  "private192.test": ["192.168.1.10"],
  "metadata.test": ["169.254.169.254"],
  "ecs-metadata.test": ["169.254.170.2"],
  "alibaba-metadata.test": ["100.100.100.200"],
  "aws6-metadata.test": ["fd00:ec2::254"],
  "linklocal.test": ["169.254.10.10"],
  "linklocal6.test": ["fe80::1"],
  "ula.test": ["fd12:3456:789a::1"],
  "cgnat.test": ["100.64.1.1"],
  "multicast.test": ["224.0.0.251"],
  "zero.test": ["0.0.0.0"],
  "broadcast.test": ["255.255.255.255"],
  "doc.test": ["192.0.2.10"],
  "mapped.test": ["::ffff:127.0.0.1"],
  "mapped-metadata.test": ["::ffff:169.254.169.254"],
  "nat64.test": ["64:ff9b::a9fe:a9fe"],
  "sixtofour.test": ["2002:c0a8:101::1"],
  "teredo.test": ["2001:0:4136:e378:8000:63bf:3fff:fdd2"],
  "mixed.test": [PUBLIC_V4, "10.0.0.1"],
  "mixed6.test": [PUBLIC_V6, "::1"],
};

const REFUSED = Object.keys(DNS).filter((name) => !["public.test", "public6.test", "dual.test"].includes(name));

interface ConnectAttempt {
  readonly hostname: string;
  readonly host: string | undefined;
}

function stubs(options: { realLoopback?: boolean } = {}) {
  const attempts: ConnectAttempt[] = [];
  const lookups: string[] = [];
  const resolve: HostResolver = async (hostname) => {
    lookups.push(hostname);
    const found = DNS[hostname];
    if (found === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return found;
  };
  const real = buildConnector({});
  const connector: ConnectorFactory = () => (connectOptions, callback) => {
    attempts.push({ hostname: connectOptions.hostname, host: connectOptions.host });
    const loopback = connectOptions.hostname === "127.0.0.1" || connectOptions.hostname === "::1";
    // Only loopback is ever really connected to; everything else fails in the stub.
    if (options.realLoopback === true && loopback) real(connectOptions, callback);
    else callback(new Error("stub connector: no connection opened"), null);
  };
  return { attempts, lookups, resolve, connector };
}

function senderFor(stub: ReturnType<typeof stubs>, ssrf: { allowCidrs?: string[]; allowHttp?: boolean } = {}) {
  return createSender({
    scheme: standardWebhooks({ secret: SECRET }),
    transport: createNodeTransport({ resolve: stub.resolve, connector: stub.connector }),
    retry: { attempts: 1 },
    ssrf,
  });
}

describe("Node transport SSRF protection", () => {
  it.each(REFUSED)("%s is refused before any connection attempt", async (name) => {
    const stub = stubs();
    const sender = senderFor(stub);
    await expect(sender.send({ url: `https://${name}/hook` }, "{}")).rejects.toMatchObject({ code: "ssrf_blocked" });
    expect(stub.lookups).toEqual([name]);
    expect(stub.attempts).toEqual([]);
    await sender.close();
  });

  it.each(["public.test", "public6.test", "dual.test"])(
    "%s reaches the connector with its checked address and original name",
    async (name) => {
      const stub = stubs();
      const sender = senderFor(stub);
      const result = await sender.send({ url: `https://${name}/hook` }, "{}");
      expect(result.status).toBe("failed");
      expect(String((result.error as Error).message)).toContain("stub connector");
      expect(stub.attempts).toEqual([{ hostname: DNS[name]?.[0], host: name }]);
      await sender.close();
    },
  );

  it("connects to a public IP literal without resolving it", async () => {
    const stub = stubs();
    const sender = senderFor(stub);
    await sender.send({ url: `https://[${PUBLIC_V6}]:8443/hook` }, "{}");
    expect(stub.lookups).toEqual([]);
    expect(stub.attempts.map((a) => a.hostname)).toEqual([PUBLIC_V6]);
    await sender.close();
  });

  it("refuses IP literals in every spelling before the transport is involved", async () => {
    const stub = stubs();
    const sender = senderFor(stub);
    for (const host of [
      "127.0.0.1",
      "2130706433",
      "0x7f.1",
      "0177.0.0.1",
      "[::1]",
      "[::ffff:127.0.0.1]",
      "169.254.169.254",
      "[fd00:ec2::254]",
    ]) {
      await expect(sender.send({ url: `https://${host}/` }, "{}")).rejects.toMatchObject({ code: "ssrf_blocked" });
    }
    expect(stub.lookups).toEqual([]);
    expect(stub.attempts).toEqual([]);
    await sender.close();
  });

  it("opts loopback back in with allowCidrs, and only the ranges listed", async () => {
    const stub = stubs();
    const sender = senderFor(stub, { allowCidrs: ["127.0.0.0/8"] });
    await sender.send({ url: "https://loopback.test/hook" }, "{}");
    await sender.send({ url: "https://mapped.test/hook" }, "{}");
    await expect(sender.send({ url: "https://loopback6.test/hook" }, "{}")).rejects.toMatchObject({
      code: "ssrf_blocked",
    });
    await expect(sender.send({ url: "https://private.test/hook" }, "{}")).rejects.toMatchObject({
      code: "ssrf_blocked",
    });
    expect(stub.attempts.map((a) => a.hostname)).toEqual(["127.0.0.1", "::ffff:127.0.0.1"]);
    await sender.close();
  });

  it("checks the address of each connection: a rebinding resolver cannot swap it", async () => {
    const answers = [[PUBLIC_V4], ["127.0.0.1"], [PUBLIC_V4], ["10.0.0.1"]];
    const stub = stubs();
    const sender = createSender({
      scheme: standardWebhooks({ secret: SECRET }),
      transport: createNodeTransport({ resolve: async () => answers.shift() ?? [], connector: stub.connector }),
      retry: { attempts: 4, baseDelayMs: 1 },
    });
    await expect(sender.send({ url: "https://rebind.test/hook" }, "{}")).rejects.toMatchObject({
      code: "ssrf_blocked",
    });
    // The first connection went to the public address it checked; the rebound answer was refused.
    expect(stub.attempts.map((a) => a.hostname)).toEqual([PUBLIC_V4]);
    await sender.close();
  });

  describe("delivering to loopback when allowed", () => {
    let server: Server;
    let port = 0;
    const received: string[] = [];
    const verifier = createVerifier({ scheme: standardWebhooks({ secret: SECRET }) });

    beforeAll(async () => {
      server = createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const webhook = await verifier.verifyParts({
          method: req.method ?? "POST",
          url: `http://loopback.test${req.url}`,
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        received.push(webhook.id);
        res.writeHead(204).end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("resolves the name, checks 127.0.0.1 against allowCidrs and delivers over http when allowed", async () => {
      const stub = stubs({ realLoopback: true });
      const sender = senderFor(stub, { allowCidrs: ["127.0.0.0/8"], allowHttp: true });
      const result = await sender.send({ url: `http://loopback.test:${port}/hook` }, { ok: true }, { id: "msg_loop" });
      expect(result).toMatchObject({ status: "delivered", attempts: 1, lastStatus: 204 });
      expect(received).toEqual(["msg_loop"]);
      expect(stub.attempts).toEqual([{ hostname: "127.0.0.1", host: `loopback.test:${port}` }]);
      await sender.close();
    });

    it("refuses http without allowHttp even where the address is allowed", async () => {
      const stub = stubs({ realLoopback: true });
      const sender = senderFor(stub, { allowCidrs: ["127.0.0.0/8"] });
      await expect(sender.send({ url: `http://loopback.test:${port}/hook` }, "{}")).rejects.toMatchObject({
        code: "invalid_endpoint",
      });
      expect(stub.attempts).toEqual([]);
      await sender.close();
    });
  });
});
