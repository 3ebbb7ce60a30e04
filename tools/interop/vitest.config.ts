import { defineConfig } from "vitest/config";

// The provider presets, from source on the Node path, against each provider's own SDK.
export default defineConfig({
  resolve: { conditions: ["hooksec-source", "node"] },
  ssr: { resolve: { conditions: ["hooksec-source", "node"] } },
  test: { name: "interop", include: ["test/**/*.test.ts"], environment: "node", testTimeout: 30_000 },
});
