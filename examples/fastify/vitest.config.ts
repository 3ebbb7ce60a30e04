import { defineConfig } from "vitest/config";

// Starts the example for real on loopback (plain HTTP, Node terminating mTLS,
// behind nginx) and sends it real HTTP requests.
export default defineConfig({
  resolve: { conditions: ["hooksec-source", "node"] },
  ssr: { resolve: { conditions: ["hooksec-source", "node"] } },
  test: {
    name: "example:fastify",
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
