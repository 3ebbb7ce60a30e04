// `@hooksec/core/errors`: WebhookError and the one union of codes.
export { WEBHOOK_ERROR_STATUS, type WebhookErrorCode } from "./codes.js";
export { WebhookError, isWebhookError } from "./webhook-error.js";
