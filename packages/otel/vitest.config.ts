import { defineConfig } from "vitest/config";

// Real receivers and senders on loopback, read back through the OpenTelemetry SDK's
// in-memory metric reader and span exporter.
export default defineConfig({
  resolve: { conditions: ["hooksec-source", "node"] },
  ssr: { resolve: { conditions: ["hooksec-source", "node"] } },
  test: {
    name: "otel",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
  },
});
