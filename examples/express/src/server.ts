// `pnpm start` (after `pnpm build`): the example as a process, configured by the environment.
//   WEBHOOK_SECRET   the Standard Webhooks secret (required unless TENANT_SECRETS is set)
//   TENANT_SECRETS   JSON {"tenant": "whsec_..."}: a secret per tenant (with TENANTS)
//   TENANTS          JSON [{"tenant":"acme","subject":"/CN=acme-sender/O=Acme"}]: client certificates to tenants
//   TRUSTED_PROXIES  comma-separated addresses/CIDRs of the TLS-terminating proxy (nginx)
//   TLS_KEY, TLS_CERT, TLS_CA   PEM files: Node terminates TLS, asks for client certificates when TLS_CA is set
//   PORT (3000), HOST (127.0.0.1)
import { readFileSync } from "node:fs";
import { start } from "./start.js";

const env = process.env;
const json = <T>(value: string | undefined): T | undefined =>
  value === undefined ? undefined : (JSON.parse(value) as T);
const list = (value: string | undefined) =>
  value
    ?.split(",")
    .map((item) => item.trim())
    .filter(Boolean);

const running = await start({
  secret: env.WEBHOOK_SECRET,
  tenantSecrets: json(env.TENANT_SECRETS),
  tenants: json(env.TENANTS),
  trustedProxies: list(env.TRUSTED_PROXIES),
  port: Number(env.PORT ?? 3000),
  host: env.HOST ?? "127.0.0.1",
  tls:
    env.TLS_KEY !== undefined && env.TLS_CERT !== undefined
      ? {
          key: readFileSync(env.TLS_KEY, "utf8"),
          cert: readFileSync(env.TLS_CERT, "utf8"),
          ca: env.TLS_CA === undefined ? undefined : readFileSync(env.TLS_CA, "utf8"),
        }
      : undefined,
  onEvent: (event) => console.log(JSON.stringify({ ...event, error: undefined })),
});
console.log(`receiving webhooks on ${running.url}/webhooks`);
