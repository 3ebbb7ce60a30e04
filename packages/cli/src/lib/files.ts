import { constants } from "node:fs";
import { access, chmod, mkdir, writeFile } from "node:fs/promises";
import { CommandError } from "./usage-error.js";

/** Creates a folder (and its parents); `private` ones (holding a CA key) are 0700. */
export async function ensureDirectory(dir: string, options: { private?: boolean } = {}): Promise<void> {
  await mkdir(dir, { recursive: true, mode: options.private ? 0o700 : 0o755 });
}

/** Refuses to go on when any of `paths` exists: a key is never overwritten. */
export async function refuseExisting(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const exists = await access(path, constants.F_OK).then(
      () => true,
      () => false,
    );
    if (exists) throw new CommandError(`${path} already exists; refusing to overwrite it (choose another --out)`);
  }
}

/** Writes a new file; private keys get mode 0600 from the start (never readable by others, even briefly). */
export async function writeNewFile(path: string, content: string, options: { private?: boolean } = {}): Promise<void> {
  const mode = options.private ? 0o600 : 0o644;
  try {
    await writeFile(path, content, { flag: "wx", mode });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new CommandError(`${path} already exists; refusing to overwrite it`);
    throw new CommandError(`cannot write ${path}: ${code ?? String(cause)}`);
  }
  // The umask may only have removed bits; make the mode exact.
  if (options.private) await chmod(path, mode);
}
