// `@hooksec/core/sender`: createSender with outbound auth, retries and SSRF protection.
export { createSender } from "./create-sender.js";
export { checkEndpoint } from "./check-endpoint.js";
export { parseRetryAfter } from "./retry-policy.js";
export { createFetchTransport, type FetchTransportOptions } from "./transport/fetch.js";
export { TokenRequestError } from "./oauth2-token-cache.js";
export { TlsCertificateError } from "./tls-certificate-error.js";
export { createAddressGuard, type AddressGuard, type SsrfOptions } from "./ssrf/address-guard.js";
export { classifyAddress, type AddressCategory, type AddressClassification } from "./ssrf/classify-address.js";
export type {
  AttemptEvent,
  AttemptOutcome,
  ClientTls,
  DeliveryResult,
  Endpoint,
  OutboundAuth,
  RetryOptions,
  SendOptions,
  Sender,
  SenderOptions,
  TimeoutOptions,
  Transport,
  TransportContext,
  TransportFactory,
  TransportRequest,
  TransportResponse,
} from "./types.js";
