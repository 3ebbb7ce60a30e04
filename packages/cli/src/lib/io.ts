/** Where a command writes and what it reads from its environment (injectable for the programmatic API). */
export interface CliIo {
  /** Writes command output (results, keys), as is: the text carries its own newlines. */
  readonly stdout: (text: string) => void;
  /** Writes diagnostics and usage errors, as is. */
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads standard input whole, for `--body-file -`. */
  readonly readStdin: () => Promise<Uint8Array>;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      return new Uint8Array(Buffer.concat(chunks));
    },
  };
}

/** The process exit status of a command: 0 ok, 1 refused or failed, 2 usage error (as scripts test `$?`). */
export type ExitCode = 0 | 1 | 2;

/** The exit codes by meaning, so commands never write a bare number. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const satisfies Record<string, ExitCode>;
