// Test binaries (openssl, nginx): found on PATH or at known paths. A missing one
// skips the tests locally, with a message, and FAILS them when CI=true.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The first of `candidates` (paths) or `binary` (on PATH) that is an executable file. */
export function findBinary(binary: string, candidates: readonly string[] = []): string | undefined {
  const onPath = (process.env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, binary));
  for (const candidate of [...candidates, ...onPath]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** nginx: often in /usr/sbin, which is not always on PATH. */
export function findNginx(): string | undefined {
  return findBinary("nginx", ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]);
}

/** True when the `openssl` command is installed. */
export function hasOpenssl(): boolean {
  return findBinary("openssl") !== undefined;
}

/**
 * The skip-or-fail rule for tests that need real binaries: true when every one
 * is there; otherwise throws under CI=true (the test file fails) and, locally,
 * warns `skipping <what>: ... not installed` and returns false (for
 * `describe.runIf`).
 *
 * @example
 * const available = requireBinaries("the nginx tests", { nginx: findNginx(), openssl: hasOpenssl() });
 * describe.runIf(available)("behind nginx", () => { ... });
 */
export function requireBinaries(
  what: string,
  binaries: Readonly<Record<string, string | boolean | undefined>>,
): boolean {
  const missing = Object.entries(binaries)
    .filter(([, found]) => found === undefined || found === false)
    .map(([name]) => name);
  if (missing.length === 0) return true;
  const reason = `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not installed`;
  if (process.env.CI === "true")
    throw new Error(`${what} need ${missing.join(" and ")} under CI=true (scripts/install-servers.sh): ${reason}`);
  console.warn(`skipping ${what}: ${reason}`);
  return false;
}
