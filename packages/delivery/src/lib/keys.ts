/** Every Redis key this package owns, in one place: `{prefix}:{queue}:...`. */
export interface DeliveryKeys {
  endpoint(id: string): string;
  disabled(id: string): string;
  endpoints(): string;
  subscribers(eventType: string): string;
  idempotency(digest: string): string;
  circuit(id: string): string;
  deadLetters(): string;
  deadLettersOfEndpoint(id: string): string;
  deadLettersOfMessage(messageId: string): string;
  deadLetter(jobId: string): string;
  logOfMessage(messageId: string): string;
  logOfEndpoint(id: string): string;
}

export function deliveryKeys(prefix: string, queueName: string): DeliveryKeys {
  const base = `${prefix}:${queueName}:hooksec`;
  return {
    endpoint: (id) => `${base}:ep:${id}`,
    disabled: (id) => `${base}:ep:${id}:disabled`,
    endpoints: () => `${base}:eps`,
    subscribers: (eventType) => `${base}:sub:${eventType}`,
    idempotency: (digest) => `${base}:idem:${digest}`,
    circuit: (id) => `${base}:cb:${id}`,
    deadLetters: () => `${base}:dl`,
    deadLettersOfEndpoint: (id) => `${base}:dl:ep:${id}`,
    deadLettersOfMessage: (messageId) => `${base}:dl:msg:${messageId}`,
    deadLetter: (jobId) => `${base}:dl:job:${jobId}`,
    logOfMessage: (messageId) => `${base}:log:msg:${messageId}`,
    logOfEndpoint: (id) => `${base}:log:ep:${id}`,
  };
}
