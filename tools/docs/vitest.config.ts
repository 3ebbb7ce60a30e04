import { defineConfig } from "vitest/config";

// The docs' code, from the workspace sources on the Node path (no build needed).
export default defineConfig({
  resolve: { conditions: ["hooksec-source", "node"] },
  ssr: { resolve: { conditions: ["hooksec-source", "node"] } },
  test: {
    name: "docs",
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
