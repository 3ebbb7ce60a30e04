export { type ExampleAppOptions, type TlsOptions, createApp, webhookOptions } from "./app.js";
export { Inbox, type ProcessedEvent } from "./inbox.js";
export { type RunningExample, type StartOptions, start } from "./start.js";
