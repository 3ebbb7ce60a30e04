// Everything the demo starts (servers, workers, redis-server, temp folders) is
// registered here and undone in reverse order: at the end, on a failure, and
// on Ctrl-C or SIGTERM.

type Undo = () => unknown;

const undos: Undo[] = [];

/** Registers how to undo something just started. */
export function onCleanup(undo: Undo): void {
  undos.push(undo);
}

/** Undoes everything registered, newest first; a failing step does not stop the others. */
export async function cleanUp(): Promise<void> {
  for (let undo = undos.pop(); undo !== undefined; undo = undos.pop()) {
    try {
      await undo();
    } catch (error) {
      console.error(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Cleans up before the process is interrupted, then exits with the signal's conventional code. */
export function cleanUpOnSignals(): void {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => {
      void cleanUp().finally(() => process.exit(code));
    });
  }
}
