import { WebhookError, isWebhookError } from "../errors/webhook-error.js";
import { headerReader } from "../lib/headers.js";
import { isRequestLike } from "../lib/read-body.js";
import { type Verification, type Verifier, createVerification, verifierOf } from "../verifier/create-verifier.js";
import type { VerifiedWebhook } from "../verifier/verified-webhook.js";
import { startHeartbeat } from "./heartbeat.js";
import { duplicateResponse, refusalResponse } from "./responses.js";
import type {
  AdmittedDelivery,
  ConsumedBody,
  HandlerFailure,
  ReceiveInput,
  ReceiveOptions,
  ReceiveOutcome,
  ReceiverOptions,
  RefusedDelivery,
  WebhookHandlerFunction,
} from "./types.js";

/**
 * The receive lifecycle: one delivery from raw request to answer. Adapters only
 * convert their framework's request into a `ReceiveInput` and the outcome into
 * its response.
 */
export interface Receiver {
  /**
   * Reads the body within the limit, verifies it (access, signature, freshness,
   * replay), runs `handler` for a message not processed yet while renewing its
   * lease, completes it on success and releases it on failure.
   *
   * Resolves with the outcome to send. Throws only setup mistakes
   * (`err.isSetupError`: the message names the fix) and what `handler` threw
   * (after releasing the message), so both reach the framework's error log.
   */
  receive<R>(
    input: ReceiveInput,
    handler: WebhookHandlerFunction<R>,
    options?: ReceiveOptions<R>,
  ): Promise<ReceiveOutcome<R>>;
  /**
   * The first half of `receive`, for frameworks that run the handler themselves
   * (Hapi): admitted deliveries hold their lease, renewed, until `finish()`.
   */
  admit(input: ReceiveInput): Promise<AdmittedDelivery | RefusedDelivery>;
  /** The same checks without the lifecycle, for your own handler code (see `VerifiedWebhook`). */
  readonly verifier: Verifier;
  readonly maxBodyBytes: number;
}

/**
 * Builds the receive lifecycle of DESIGN.md: exactly one successful handler run
 * per message id within `replay.retainSeconds`, across retries, crashes and
 * instances (with a shared store), and a 2xx only once the handler succeeded.
 *
 * @example
 * const receiver = createReceiver({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET }) });
 * export async function POST(request: Request) {
 *   const outcome = await receiver.receive(request, async (webhook) => {
 *     await handle(webhook.json());
 *     return new Response(null, { status: 204 });
 *   });
 *   if (outcome.handled) return outcome.result;
 *   return Response.json(outcome.response.body, outcome.response);
 * }
 */
export function createReceiver(options: ReceiverOptions): Receiver {
  if (typeof options?.replay === "object" && options.replay.duplicates === "reject") {
    throw new WebhookError(
      "invalid_options",
      'replay.duplicates "reject" is for verify() only: the receive lifecycle answers an already processed message with 200 so the sender stops retrying (a 409 would make it retry for days)',
    );
  }
  const verification = createVerification(options);

  async function admit(input: ReceiveInput): Promise<AdmittedDelivery | RefusedDelivery> {
    const startedAt = verification.start();
    let webhook: VerifiedWebhook;
    try {
      webhook = await verify(verification, input, startedAt);
    } catch (caught) {
      const error = isWebhookError(caught) ? caught : verification.reject(caught, startedAt);
      if (error.isSetupError) throw error;
      return { admitted: false, handled: false, response: refusalResponse(error), error };
    }
    if (webhook.duplicate) return { admitted: false, handled: false, response: duplicateResponse(webhook.id), webhook };
    const stopHeartbeat = startHeartbeat(webhook, verification.leaseMs);
    let finished = false;
    return {
      admitted: true,
      webhook,
      async finish(failure) {
        if (finished) return;
        finished = true;
        stopHeartbeat();
        await settle(verification, webhook, failure);
      },
    };
  }

  return {
    verifier: verifierOf(verification),
    maxBodyBytes: verification.maxBodyBytes,
    admit,
    async receive(input, handler, receiveOptions) {
      const admission = await admit(input);
      if (!admission.admitted) return admission;
      const { webhook } = admission;
      let result: Awaited<ReturnType<typeof handler>>;
      try {
        result = await handler(webhook);
      } catch (error) {
        await admission.finish({ error });
        if (isWebhookError(error) && !error.isSetupError)
          return { handled: false, response: refusalResponse(error), webhook, error };
        throw error;
      }
      const failed = receiveOptions?.failed ?? isServerErrorResult;
      await admission.finish(failed(result) ? { status: statusOf(result) } : undefined);
      return { handled: true, webhook, result };
    },
  };
}

/** Reads and verifies; refusals were already reported to `onEvent`. */
async function verify(verification: Verification, input: ReceiveInput, startedAt: number): Promise<VerifiedWebhook> {
  if (isRequestLike(input)) {
    const body = await verification.read(input, undefined, startedAt);
    return verification.verifyParts({ method: input.method, url: input.url, headers: input.headers, body }, startedAt);
  }
  if (isConsumed(input.body)) {
    throw verification.reject(new WebhookError("body_already_consumed", input.body.fix), startedAt);
  }
  const body = await verification.read(input.body, headerReader(input.headers)("content-length"), startedAt);
  return verification.verifyParts(
    { method: input.method, url: input.url, headers: input.headers, body, connection: input.connection },
    startedAt,
  );
}

/** Completes or releases the message, reporting the outcome; a store failure never hides the handler's own. */
async function settle(
  verification: Verification,
  webhook: VerifiedWebhook,
  failure: HandlerFailure | undefined,
): Promise<void> {
  if (failure === undefined) {
    // The handler succeeded and its answer stands (a 2xx means processed). If the
    // store cannot record it, a later replay might run it again: say so loudly.
    await webhook.complete().catch((error: unknown) => reportStoreFailure(verification, webhook, error));
    return;
  }
  verification.report("handler_failed", webhook, 0, { status: failure.status, error: failure.error });
  // If the store cannot release it, the lease lapses by itself and the retry runs then.
  await webhook.release().catch((error: unknown) => reportStoreFailure(verification, webhook, error));
}

function reportStoreFailure(verification: Verification, webhook: VerifiedWebhook, error: unknown): void {
  const code = isWebhookError(error) ? error.code : "replay_store_unavailable";
  verification.report("rejected", webhook, 0, { code, error, detail: "the replay store failed after the handler ran" });
}

function isConsumed(body: unknown): body is ConsumedBody {
  return typeof body === "object" && body !== null && (body as Partial<ConsumedBody>).consumed === true;
}

function statusOf(result: unknown): number | undefined {
  const status = (result as { status?: unknown } | null | undefined)?.status;
  return typeof status === "number" ? status : undefined;
}

/** A `Response`, a Koa context or anything with a numeric `status` of 500 or more. */
function isServerErrorResult(result: unknown): boolean {
  const status = typeof result === "object" && result !== null ? statusOf(result) : undefined;
  return status !== undefined && status >= 500;
}

/**
 * The body a parser already read, for `ReceiveParts.body`: refused with
 * `body_already_consumed`, a setup error whose message is `fix`.
 *
 * @example
 * body: ctx.request.body !== undefined ? bodyConsumed("mount webhook() before bodyParser()") : ctx.req
 */
export function bodyConsumed(fix: string): ConsumedBody {
  return { consumed: true, fix };
}
