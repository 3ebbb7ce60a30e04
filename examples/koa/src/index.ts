export { type ExampleAppOptions, createApp, webhookOptions } from "./app.js";
export {
  type DevCertificateAuthority,
  type DevPki,
  type KeyPair,
  createDevPki,
  hasOpenssl,
} from "./dev-certificates.js";
export { Inbox, type ProcessedEvent } from "./inbox.js";
export { type RunningExample, type StartOptions, type TlsOptions, start } from "./start.js";
