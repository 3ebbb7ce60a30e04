// Everything a scenario starts (servers, workers, redis-server, temp folders)
// is registered here and undone in reverse order: at the end, on a failure,
// and on Ctrl-C or SIGTERM.

type Undo = () => unknown;

export class Cleanup {
  readonly #undos: Undo[] = [];

  /** Registers how to undo something just started. */
  add(undo: Undo): void {
    this.#undos.push(undo);
  }

  /** Undoes everything registered, newest first; a failing step does not stop the others. */
  async run(): Promise<void> {
    for (let undo = this.#undos.pop(); undo !== undefined; undo = this.#undos.pop()) {
      try {
        await undo();
      } catch (error) {
        console.error(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Cleans up when the process is interrupted, then exits with the signal's conventional code. */
  runOnSignals(): void {
    for (const [signal, code] of [
      ["SIGINT", 130],
      ["SIGTERM", 143],
    ] as const) {
      process.once(signal, () => {
        void this.run().finally(() => process.exit(code));
      });
    }
  }
}
