export { type Reply, type SendOptions, randomSecret, send, signed, standardWebhooksHeaders } from "./client.js";
export { canConnect, freePort, type WaitOptions, waitUntil, waitUntilListening } from "./net.js";
export { fillTemplate, type Nginx, type NginxOptions, startNginx } from "./nginx.js";
export { type CertificateAuthority, createPki, type KeyPair, type Pki, type Validity } from "./pki.js";
export { findBinary, findNginx, hasOpenssl, requireBinaries } from "./requirements.js";
export { findRedisServer, type RedisServer, type RedisServerOptions, startRedisServer } from "./redis.js";
export { eventually, sleep } from "./wait.js";
