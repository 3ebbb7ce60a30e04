import { defineConfig } from "vitest/config";

// Tests run against the TypeScript sources (the "hooksec-source" export
// condition), so `vitest` needs no build; examples are tested against their
// built apps.
const source = ["hooksec-source"];
// Property tests run hundreds of cases: 30 s, not 5, so a busy machine does not fail them.
const coreTests = ["packages/core/src/**/*.test.ts"];

export default defineConfig({
  test: {
    projects: [
      {
        // The Node fast path: node:crypto behind the "node" condition.
        resolve: { conditions: [...source, "node"] },
        ssr: { resolve: { conditions: [...source, "node"] } },
        test: {
          name: "core:node",
          include: coreTests,
          environment: "node",
          testTimeout: 30_000,
          provide: { cryptoBackend: "node" },
        },
      },
      {
        // The portable path every other runtime takes: Web Crypto only ("hooksec-web"
        // picks it in the source imports map, ahead of the "node" condition).
        resolve: { conditions: [...source, "hooksec-web"] },
        ssr: { resolve: { conditions: [...source, "hooksec-web"] } },
        test: {
          name: "core:web",
          include: coreTests,
          environment: "node",
          testTimeout: 30_000,
          provide: { cryptoBackend: "web" },
        },
      },
      {
        // An edge-like global scope (no Buffer, no process): the Next.js edge runtime's VM.
        resolve: { conditions: [...source, "hooksec-web", "edge-light", "worker"] },
        ssr: { resolve: { conditions: [...source, "hooksec-web", "edge-light", "worker"] } },
        test: {
          name: "core:edge",
          include: coreTests,
          exclude: ["**/*.node.test.ts"],
          environment: "edge-runtime",
          testTimeout: 30_000,
          provide: { cryptoBackend: "web" },
        },
      },
      {
        // Core tests that start real servers (nginx, openssl) or sockets: Node only, run once.
        resolve: { conditions: [...source, "node"] },
        ssr: { resolve: { conditions: [...source, "node"] } },
        test: {
          name: "core:integration",
          include: ["packages/core/test/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      "packages/*/vitest.config.ts",
      "examples/*/vitest.config.ts",
      "tools/runtimes/vitest.config.ts",
      "tools/interop/vitest.config.ts",
      "tools/demo/vitest.config.ts",
      "tools/docs/vitest.config.ts",
    ],
  },
});
