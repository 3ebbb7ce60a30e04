import { execFile } from "node:child_process";
import { CommandError } from "./usage-error.js";

/** The openssl binary: `HOOKSEC_OPENSSL` or `openssl` on PATH. */
export function opensslBinary(env: Readonly<Record<string, string | undefined>>): string {
  return env.HOOKSEC_OPENSSL || "openssl";
}

/**
 * Runs openssl with an argument list (never through a shell) and returns its standard output.
 * Fails with a `CommandError` carrying openssl's own message.
 */
export function runOpenssl(binary: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, [...args], { cwd, encoding: "utf8", maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT")
        return reject(new CommandError(`${binary} not found: install OpenSSL (or set HOOKSEC_OPENSSL to its path)`));
      reject(new CommandError(`openssl ${args[0] ?? ""} failed: ${stderr.trim() || error.message}`));
    });
  });
}
