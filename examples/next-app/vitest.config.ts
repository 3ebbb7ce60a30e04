import { defineConfig } from "vitest/config";

// Runs against the production build: `next build` (only when .next is missing,
// `pnpm build` normally made it) then `next start` on a free loopback port.
export default defineConfig({
  resolve: { conditions: ["hooksec-source", "node"] },
  ssr: { resolve: { conditions: ["hooksec-source", "node"] } },
  test: {
    name: "example:next-app",
    include: ["test/**/*.test.ts"],
    environment: "node",
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 300_000,
  },
});
