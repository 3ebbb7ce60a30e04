import { defineConfig } from "vitest/config";

// Starts real redis-server processes, loopback receivers and worker processes.
export default defineConfig({
  resolve: { conditions: ["hooksec-source", "node"] },
  ssr: { resolve: { conditions: ["hooksec-source", "node"] } },
  test: {
    name: "delivery",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
