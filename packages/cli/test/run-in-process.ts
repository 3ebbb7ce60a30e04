// Runs a `hooksec` command line in this process through `run`, with its output captured: for
// properties and registry-wide tables, where a child process per run would be too slow.
import type { CliIo } from "../src/lib/io.js";
import { run } from "../src/run.js";

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function capture(
  argv: readonly string[],
  stdin: Uint8Array = new Uint8Array(),
  env: Record<string, string> = {},
): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    readStdin: async () => stdin,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
