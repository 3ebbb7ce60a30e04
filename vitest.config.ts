import { defineConfig } from "vitest/config";
import { coreProjects } from "./packages/core/vitest.config.ts";

// Every package's own test configuration in one run, for `vitest run --project <name>`
// from the root and for editors. `pnpm test` instead runs each package's `test` script
// through turbo, so each package's results are cached on its own inputs. The core's
// config lists its four projects itself (vitest does not nest projects), so it is
// spread in here rather than globbed.
export default defineConfig({
  test: {
    projects: [
      ...coreProjects,
      "packages/*/vitest.config.ts",
      "!packages/core/vitest.config.ts",
      "examples/*/vitest.config.ts",
      "tools/*/vitest.config.ts",
    ],
  },
});
