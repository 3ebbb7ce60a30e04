/** The wall-clock moment `durationMs` ago, as an OpenTelemetry time input (ms since the epoch). */
export function startedBefore(durationMs: number, now = Date.now()): number {
  return Number.isFinite(durationMs) && durationMs > 0 ? now - durationMs : now;
}
