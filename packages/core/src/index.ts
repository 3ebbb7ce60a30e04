// Named re-exports only, one concern per line; each is also its own subpath export.
export * from "./errors/index.js";
export * from "./schemes/index.js";
export * from "./verifier/index.js";
export * from "./receiver/index.js";
export * from "./replay/index.js";
export * from "./identity/index.js";
export * from "./sender/index.js";
