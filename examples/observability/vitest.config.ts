import { defineConfig } from "vitest/config";

// Starts the example on loopback, sends it real signed webhooks, scrapes /metrics and reads the log.
export default defineConfig({
  resolve: { conditions: ["hooksec-source", "node"] },
  ssr: { resolve: { conditions: ["hooksec-source", "node"] } },
  test: {
    name: "example:observability",
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
  },
});
