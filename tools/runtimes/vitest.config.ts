import { defineConfig } from "vitest/config";

// Runs the built core and Hono adapter (dist, as published) in real Deno, Bun and
// workerd; build it first (`pnpm test` does). The Node reference run takes the
// same dist with the "node" condition, like Node users.
export default defineConfig({
  resolve: { conditions: ["node"] },
  ssr: { resolve: { conditions: ["node"] } },
  test: {
    name: "runtimes",
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
