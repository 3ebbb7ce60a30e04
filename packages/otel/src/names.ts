/**
 * Every instrument and span name `@hooksec/otel` records, and every attribute key.
 * There is no OpenTelemetry semantic convention for webhooks: these stay close to the
 * HTTP (`http.*`, `url.*`, `server.*`, `error.type`) and messaging (`messaging.*`)
 * conventions, and every metric attribute takes values from a small fixed set unless
 * the user opts in (tenant, key id, endpoint). The README's table lists them all.
 */
export const METRIC = {
  /** Histogram, s: request arrival to the verification outcome (verified, duplicate, in_progress, rejected). */
  verificationDuration: "hooksec.webhook.verification.duration",
  /** Counter: one per received delivery, by outcome. */
  received: "hooksec.webhook.received",
  /** Counter: deliveries of an already processed message (acknowledged, handler not run). */
  duplicates: "hooksec.webhook.duplicates",
  /** Counter: deliveries answered 409 because another delivery of the message was being processed. */
  inProgress: "hooksec.webhook.in_progress",
  /** Counter: what became of verified messages: completed, handler_failed, released, lease_lost. */
  processed: "hooksec.webhook.processed",
  /** Counter: the replay store failed (the receiver failed closed with 503, or could not record an outcome). */
  replayStoreFailures: "hooksec.replay_store.failures",
  /** Counter: processed message ids the in-memory store forgot early to make room. */
  replayStoreEvictions: "hooksec.replay_store.evictions",
  /** Gauge, d: whole days until the client certificate last seen for a tenant expires (negative: expired). */
  certificateDaysUntilExpiry: "hooksec.client_certificate.days_until_expiry",
  /** Counter: outgoing delivery attempts (core sender and durable delivery), by outcome. */
  deliveryAttempts: "hooksec.delivery.attempts",
  /** Histogram, s: one outgoing attempt, from the request to the receiver's answer or the error. */
  deliveryAttemptDuration: "hooksec.delivery.attempt.duration",
  /** Counter: messages queued by durable delivery (`dispatched`). */
  deliveryDispatched: "hooksec.delivery.dispatched",
  /** Counter: messages durable delivery delivered. */
  deliveryDelivered: "hooksec.delivery.delivered",
  /** Counter: messages durable delivery gave up on, by reason. */
  deliveryDeadLetters: "hooksec.delivery.dead_letters",
  /** Counter: attempts postponed because the endpoint's circuit was open. */
  deliveryDeferred: "hooksec.delivery.deferred",
  /** Counter: dead letters sent again. */
  deliveryRedelivered: "hooksec.delivery.redelivered",
  /** Counter: circuit breaker transitions, by the state entered. */
  circuitTransitions: "hooksec.delivery.circuit.transitions",
  /** Gauge: 1 for the state each endpoint's circuit was last seen in, 0 for the others. */
  circuitState: "hooksec.delivery.circuit.state",
  /** Counter: endpoints disabled (by reason) or enabled again. */
  endpointChanges: "hooksec.delivery.endpoint.changes",
  /** Gauge: jobs in the delivery queue, by state (waiting, delayed, active, failed = dead letters kept). */
  queueDepth: "hooksec.delivery.queue.depth",
} as const;

/** The names of the spans hooksec records, for queries and sampling rules. */
export const SPAN = {
  /** CONSUMER span per received webhook, child of the active HTTP server span. */
  receive: "receive webhook",
  /** PRODUCER span around one `sender.send` (all its attempts); its context is what is propagated. */
  send: "send webhook",
  /** CLIENT span per attempt, named after the HTTP method as the HTTP conventions ask. */
  attempt: "POST",
} as const;

/** The attribute keys on hooksec's metrics and spans (`hooksec.*`, plus the OpenTelemetry conventions' own). */
export const ATTR = {
  scheme: "hooksec.scheme",
  outcome: "hooksec.outcome",
  /** Opt-in on metrics (`attributes.tenant`): as many values as tenants. Always on spans. */
  tenant: "hooksec.tenant",
  /** Opt-in on metrics (`attributes.keyId`): which key of a keyring verified (rotation progress). Always on spans. */
  keyId: "hooksec.key.id",
  /** `claim` (before the handler: answered 503) or `settle` (completing or releasing after it). */
  replayStoreOperation: "hooksec.replay_store.operation",
  retryAfter: "hooksec.retry_after",
  certificateDaysUntilExpiry: "hooksec.client_certificate.days_until_expiry",
  /** Opt-in on metrics (`attributes.endpoint`); always on the circuit-state gauge and on spans. */
  endpointId: "hooksec.endpoint.id",
  deadLetterReason: "hooksec.dead_letter.reason",
  disabledReason: "hooksec.disabled.reason",
  circuitState: "hooksec.circuit.state",
  endpointState: "hooksec.endpoint.state",
  jobState: "hooksec.job.state",
  errorType: "error.type",
  httpStatus: "http.response.status_code",
  httpMethod: "http.request.method",
  resendCount: "http.request.resend_count",
  urlFull: "url.full",
  serverAddress: "server.address",
  serverPort: "server.port",
  clientAddress: "client.address",
  tlsClientSubject: "tls.client.subject",
  messagingSystem: "messaging.system",
  messagingOperationType: "messaging.operation.type",
  messagingOperationName: "messaging.operation.name",
  messagingMessageId: "messaging.message.id",
  messagingDestination: "messaging.destination.name",
} as const;

/** `messaging.system` of every hooksec span. */
export const MESSAGING_SYSTEM = "hooksec";
