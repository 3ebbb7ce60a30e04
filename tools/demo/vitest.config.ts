import { defineConfig } from "vitest/config";

// Runs `pnpm demo`'s program as a child process against the built packages
// (dist, as a user's app gets them): build them first (`pnpm test` does).
export default defineConfig({
  test: {
    name: "demo",
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 180_000,
  },
});
