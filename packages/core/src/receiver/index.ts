// `@hooksec/core/receiver`: the receive lifecycle every adapter calls.
export { bodyConsumed, createReceiver, type Receiver } from "./create-receiver.js";
export { duplicateResponse, refusalResponse } from "./responses.js";
export type { Awaitable } from "../lib/awaitable.js";
export type {
  AdmittedDelivery,
  ConsumedBody,
  HandlerFailure,
  ReceiveInput,
  ReceiveOptions,
  ReceiveOutcome,
  ReceiveParts,
  ReceiverOptions,
  RefusedDelivery,
  WebhookHandlerFunction,
  WebhookResponse,
} from "./types.js";
