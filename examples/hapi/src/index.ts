export { Inbox, type ProcessedEvent } from "./inbox.js";
export { type ExampleServerOptions, type RunningExample, createServer, start, webhookOptions } from "./server.js";
