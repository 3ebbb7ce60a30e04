import { defineConfig } from "vitest/config";

// Runs the real `hooksec` command (TypeScript sources through tsx) in child processes;
// the CA tests call openssl, the send tests start an HTTP server on 127.0.0.1.
export default defineConfig({
  resolve: { conditions: ["hooksec-source", "node"] },
  ssr: { resolve: { conditions: ["hooksec-source", "node"] } },
  test: {
    name: "cli",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    // Each test waits on its own child process: run a few at a time.
    sequence: { concurrent: true },
    maxConcurrency: 4,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
