import { defineConfig } from "vitest/config";

// Bundles the Worker, runs it in workerd on loopback and sends it real HTTP
// requests. The bundle takes the built packages (dist), as users get them: build
// first (`pnpm test` does); the test's own imports use the sources.
export default defineConfig({
  resolve: { conditions: ["hooksec-source", "node"] },
  ssr: { resolve: { conditions: ["hooksec-source", "node"] } },
  test: {
    name: "example:hono-worker",
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
