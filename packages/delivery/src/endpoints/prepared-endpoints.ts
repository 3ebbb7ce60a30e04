import type { Endpoint, WebhookScheme } from "@hooksec/core";
import { senderEndpoint } from "../lib/shared.js";
import type { EndpointRecord } from "../types.js";
import { liveSecrets } from "./endpoint-store.js";

interface PreparedEndpoint {
  /** The core sender's view of the record. */
  readonly endpoint: Endpoint;
  /** Signs with the secrets live at the time asked for. */
  readonly scheme: WebhookScheme;
}

/**
 * A worker's per-endpoint preparation, reused while the stored record is unchanged:
 * the parsed record, its sender endpoint, and a scheme per set of live secrets (schemes
 * import their keys once). Each job still reads the record from Redis (the JSON is the
 * cache key), so an update, a rotation or a removal takes effect on the next job.
 */
export interface PreparedEndpoints {
  get(endpointId: string, recordJson: string, now: number): PreparedEndpoint;
}

const MAX_ENDPOINTS = 1000;

interface Entry {
  readonly json: string;
  readonly record: EndpointRecord;
  readonly endpoint: Endpoint;
  /** Keyed by the live secrets, joined: a rotation's grace period ending changes the key. */
  readonly schemes: Map<string, WebhookScheme>;
}

export function createPreparedEndpoints(
  buildScheme: (endpoint: EndpointRecord, secrets: readonly string[]) => WebhookScheme,
): PreparedEndpoints {
  const entries = new Map<string, Entry>();
  return {
    get(endpointId, recordJson, now) {
      let entry = entries.get(endpointId);
      if (entry === undefined || entry.json !== recordJson) {
        const record = JSON.parse(recordJson) as EndpointRecord;
        entry = { json: recordJson, record, endpoint: senderEndpoint(record), schemes: new Map() };
        entries.delete(endpointId);
        // Bounded: the oldest prepared endpoint goes first.
        if (entries.size >= MAX_ENDPOINTS) entries.delete(entries.keys().next().value as string);
        entries.set(endpointId, entry);
      }
      const secrets = liveSecrets(entry.record.secrets, now);
      const key = secrets.join(" ");
      let scheme = entry.schemes.get(key);
      if (scheme === undefined) {
        scheme = buildScheme(entry.record, secrets);
        entry.schemes.clear(); // the secrets live before are gone for good
        entry.schemes.set(key, scheme);
      }
      return { endpoint: entry.endpoint, scheme };
    },
  };
}
