import { fileURLToPath } from "node:url";
import { type TestProjectInlineConfiguration, defineConfig } from "vitest/config";

// The core runs its unit tests three times, once per crypto path a runtime takes,
// against the TypeScript sources (the "hooksec-source" export condition, so no build).
// Property tests run hundreds of cases: 30 s, not 5, so a busy machine does not fail them.
const root = fileURLToPath(new URL(".", import.meta.url));
const source = ["hooksec-source"];
const unitTests = ["src/**/*.test.ts"];

export const coreProjects = [
  {
    // The Node fast path: node:crypto behind the "node" condition.
    root,
    resolve: { conditions: [...source, "node"] },
    ssr: { resolve: { conditions: [...source, "node"] } },
    test: {
      name: "core:node",
      include: unitTests,
      environment: "node",
      testTimeout: 30_000,
      provide: { cryptoBackend: "node" },
    },
  },
  {
    // The portable path every other runtime takes: Web Crypto only ("hooksec-web"
    // picks it in the source imports map, ahead of the "node" condition).
    root,
    resolve: { conditions: [...source, "hooksec-web"] },
    ssr: { resolve: { conditions: [...source, "hooksec-web"] } },
    test: {
      name: "core:web",
      include: unitTests,
      environment: "node",
      testTimeout: 30_000,
      provide: { cryptoBackend: "web" },
    },
  },
  {
    // An edge-like global scope (no Buffer, no process): the Next.js edge runtime's VM.
    root,
    resolve: { conditions: [...source, "hooksec-web", "edge-light", "worker"] },
    ssr: { resolve: { conditions: [...source, "hooksec-web", "edge-light", "worker"] } },
    test: {
      name: "core:edge",
      include: unitTests,
      exclude: ["**/*.node.test.ts"],
      environment: "edge-runtime",
      testTimeout: 30_000,
      provide: { cryptoBackend: "web" },
    },
  },
  {
    // Tests that start real servers (nginx, openssl) or sockets: Node only, run once.
    root,
    resolve: { conditions: [...source, "node"] },
    ssr: { resolve: { conditions: [...source, "node"] } },
    test: {
      name: "core:integration",
      include: ["test/**/*.test.ts"],
      environment: "node",
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  },
] satisfies TestProjectInlineConfiguration[];

export default defineConfig({ test: { projects: coreProjects } });
