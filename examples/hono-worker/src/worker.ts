// The Worker: `pnpm build` bundles this file into dist/worker.js (scripts/bundle.mjs),
// `pnpm start` runs it in workerd (scripts/serve.mjs), `wrangler deploy` ships it.
import type { Hono } from "hono";
import type { WebhookEnv } from "@hooksec/hono";
import { type ExampleAppOptions, INTERNAL_ERROR, createApp } from "./app.js";

/** The Worker's bindings: a secret (`wrangler secret put`) and an optional `[vars]` entry. */
export interface Bindings {
  /** The Standard Webhooks secret (`whsec_...`). */
  readonly WEBHOOK_SECRET?: string | null;
  /** Largest body accepted, in bytes (a string, as `[vars]` gives it). Default 1 MiB. */
  readonly MAX_BODY_BYTES?: string | null;
}

let app: Hono<WebhookEnv> | undefined;

export default {
  fetch(request: Request, env: Bindings): Response | Promise<Response> {
    // Bindings arrive with the first request, not before: the app is built then and kept
    // for the isolate's life (the replay store and the inbox live in it).
    if (app === undefined) {
      try {
        app = createApp(appOptions(env));
      } catch (error) {
        console.error(`[hono worker example] ${(error as Error).message}`);
        return Response.json(INTERNAL_ERROR, { status: 500 });
      }
    }
    return app.fetch(request, env);
  },
};

/** The app's options from the bindings: a missing secret fails loudly rather than verifying against nothing. */
function appOptions(env: Bindings): ExampleAppOptions {
  const secret = env.WEBHOOK_SECRET;
  if (secret === undefined || secret === null || secret === "") {
    throw new Error(
      "the WEBHOOK_SECRET binding is not set: `wrangler secret put WEBHOOK_SECRET` (or .dev.vars for `wrangler dev`)",
    );
  }
  const limit = env.MAX_BODY_BYTES;
  if (limit === undefined || limit === null || limit === "") return { secret };
  const maxBodyBytes = Number(limit);
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new Error(
      `the MAX_BODY_BYTES binding must be a positive whole number of bytes, not ${JSON.stringify(limit)}`,
    );
  }
  return { secret, maxBodyBytes };
}
