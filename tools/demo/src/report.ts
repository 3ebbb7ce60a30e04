// How the demo prints: one table per group of scenarios, a tick or a cross per
// row, and a tally that decides the exit code.

/** One scenario's result: what was expected, what happened, and why. */
export interface Check {
  readonly ok: boolean;
  readonly scenario: string;
  readonly expected: string;
  readonly got: string;
  readonly why?: string;
}

const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const green = (text: string) => paint(32, text);
export const red = (text: string) => paint(31, text);
const dim = (text: string) => paint(2, text);
export const bold = (text: string) => paint(1, text);

export class Report {
  #checks = 0;
  #failures = 0;

  /** Prints a group's heading. */
  heading(title: string): void {
    console.log(bold(`\n${title}\n`));
  }

  /** A line of context under a heading (a skipped group, a summary). */
  note(text: string): void {
    console.log(dim(text));
  }

  /** Prints the checks as a table and counts them. */
  table(checks: readonly Check[]): void {
    const columns: ReadonlyArray<readonly [string, (check: Check) => string]> = [
      ["", (check) => (check.ok ? "✓" : "✗")],
      ["scenario", (check) => check.scenario],
      ["expected", (check) => check.expected],
      ["got", (check) => check.got],
      ["why", (check) => check.why ?? ""],
    ];
    const cellsOf = (check: Check) => columns.map(([, cell]) => cell(check));
    const widths = columns.map(([title], index) =>
      Math.max(title.length, ...checks.map((check) => cellsOf(check)[index]?.length ?? 0)),
    );
    const line = (cells: readonly string[]) =>
      cells
        .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join("  ")
        .trimEnd();
    console.log(bold(line(columns.map(([title]) => title))));
    for (const check of checks) {
      const cells = cellsOf(check);
      cells[0] = check.ok ? green("✓") : red("✗");
      console.log(line(cells));
      this.count(check.ok);
    }
  }

  /** Counts a check printed some other way (a summary line). */
  count(ok: boolean): void {
    this.#checks++;
    if (!ok) this.#failures++;
  }

  /** Prints the verdict; true when every check held. */
  verdict(): boolean {
    if (this.#failures > 0) {
      console.log(red(`\n${this.#failures} of ${this.#checks} outcome(s) differ from what was expected.`));
      return false;
    }
    console.log(green(`\nall ${this.#checks} scenarios behaved as expected.`));
    return true;
  }
}
