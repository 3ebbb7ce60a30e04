// The Fastify plugin, plus what a Fastify app needs from the core so it imports one package.
export { type FastifyWebhookOptions, webhook } from "./webhook.js";
export * from "@hooksec/core/receiving";
