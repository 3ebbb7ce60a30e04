/**
 * Runs one attempt under a total timeout, clearing the timer as soon as it settles
 * (`AbortSignal.timeout` would leave a pending timer per attempt until it fires).
 */
export async function withTimeout<T>(ms: number, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    const reason = new Error(`the attempt took longer than ${ms} ms`);
    reason.name = "TimeoutError";
    controller.abort(reason);
  }, ms);
  try {
    return await attempt(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}
