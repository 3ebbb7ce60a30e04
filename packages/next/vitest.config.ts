import { defineConfig } from "vitest/config";

// Route handlers are plain Request → Response functions: the suite runs in the
// edge runtime's VM (no Buffer, no process, no node: modules) and, per file, in Node.
const conditions = ["hooksec-source", "hooksec-web", "edge-light", "worker"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    name: "next",
    include: ["src/**/*.test.ts"],
    environment: "edge-runtime",
  },
});
