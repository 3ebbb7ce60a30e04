import type { WebhookScheme } from "@hooksec/core";
import { describe, expect, it } from "vitest";
import type { EndpointRecord } from "../types.js";
import { createPreparedEndpoints } from "./prepared-endpoints.js";

const record = (secrets: EndpointRecord["secrets"], url = "https://hooks.example.com/in"): string =>
  JSON.stringify({ id: "ep", url, eventTypes: ["*"], secrets, createdAt: 0 } satisfies EndpointRecord);

describe("prepared endpoints", () => {
  function counting() {
    const built: string[][] = [];
    const prepared = createPreparedEndpoints((_endpoint, secrets) => {
      built.push([...secrets]);
      return { name: secrets.join(" ") } as unknown as WebhookScheme;
    });
    return { prepared, built };
  }

  it("reuses the parsed record and its scheme while the stored record is unchanged", () => {
    const { prepared, built } = counting();
    const json = record([{ secret: "a" }]);
    const first = prepared.get("ep", json, 0);
    const second = prepared.get("ep", json, 1);
    expect(second.scheme).toBe(first.scheme);
    expect(second.endpoint).toBe(first.endpoint);
    expect(first.endpoint).toEqual({ url: "https://hooks.example.com/in" });
    expect(built).toEqual([["a"]]);
  });

  it("a changed record (update, rotation) is prepared again; a rotated-out secret stops signing when its grace ends", () => {
    const { prepared, built } = counting();
    prepared.get("ep", record([{ secret: "a" }]), 0);
    const moved = prepared.get("ep", record([{ secret: "a" }], "https://other.example.com/in"), 0);
    expect(moved.endpoint.url).toBe("https://other.example.com/in");
    const rotated = record([{ secret: "b" }, { secret: "a", expiresAt: 100 }]);
    expect(prepared.get("ep", rotated, 50).scheme).toMatchObject({ name: "b a" });
    expect(prepared.get("ep", rotated, 100).scheme).toMatchObject({ name: "b" });
    expect(built).toEqual([["a"], ["a"], ["b", "a"], ["b"]]);
  });
});
