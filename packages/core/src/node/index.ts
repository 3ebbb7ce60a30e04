// `@hooksec/core/node`: helpers for adapters on Node.js (node:http, node:tls).
export { connectionInfo } from "./connection-info.js";
export { closeWhenSent, nodeRequestParts } from "./node-request.js";
