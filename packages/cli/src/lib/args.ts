import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "./usage-error.js";

/** The option declarations of one command. */
export type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** What `parseArgs` returns for those declarations. */
export type ParsedArgs<T extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true }>
>;

/** `parseArgs` in strict mode, its errors turned into usage errors (exit 2). */
export function parseCommandArgs<T extends OptionsConfig>(
  args: readonly string[],
  options: T,
  positionals = 0,
): ParsedArgs<T> {
  let parsed: ParsedArgs<T>;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error));
  }
  if (parsed.positionals.length > positionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[positionals]}'`);
  }
  return parsed;
}

/** An integer option within bounds, or its default. */
export function integerOption(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} must be an integer, got '${value}'`);
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${value}`);
  }
  return number;
}

/** A value that must be given. */
export function required<V>(value: V | undefined, name: string): V {
  if (value === undefined || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

/** One of a fixed set of values. */
export function oneOf<V extends string>(value: string | undefined, name: string, allowed: readonly V[]): V {
  const given = required(value, name);
  if (!(allowed as readonly string[]).includes(given)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got '${given}'`);
  }
  return given as V;
}
