// The commands behind the `hooksec` binary, for scripts and tests.
export { run } from "./run.js";
export type { CliIo, ExitCode } from "./lib/io.js";
export { createSecret, type SecretOptions } from "./commands/secret.js";
export { parseKeyring, retireKeyring, rotateKeyring } from "./commands/secret-rotation.js";
export { parseDuration, summarizeRejections, type RejectionRow } from "./commands/log.js";
export {
  createKeyPair,
  KEY_TYPES,
  type Ed25519KeyPair,
  type GeneratedKeyPair,
  type JoseKeyPair,
  type JoseKeyType,
  type KeyType,
} from "./commands/keypair.js";
export { SCHEME_NAMES, schemeFor, type SchemeName } from "./lib/schemes.js";
