import { WebhookError } from "../errors/webhook-error.js";

/**
 * What a verification ended in: "accepted", or the `code` of the WebhookError
 * it threw. Any other exception is a bug and is rethrown, failing the test.
 */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebhookError) return error.code;
    throw error;
  }
  return "accepted";
}
