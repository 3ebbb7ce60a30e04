import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WebhookError } from "../../errors/webhook-error.js";
import { checkFreshness } from "./freshness.js";

const window = { pastMs: 300_000, futureMs: 60_000 };
const NOW = 1_700_000_000_000;

describe("checkFreshness", () => {
  it("refuses a timestamp that is not a real date (iat: 1e13 seconds) with malformed_header, at any clock", () => {
    for (const now of [0, NOW, 8.64e15]) {
      expect(() => checkFreshness(new Date(1e13 * 1000), now, window)).toThrow(
        expect.objectContaining({ code: "malformed_header" }),
      );
      expect(() => checkFreshness(new Date(Number.NaN), now, window)).toThrow(
        expect.objectContaining({ code: "malformed_header" }),
      );
    }
  });

  it("accepts exactly the timestamps inside the window and refuses every other number with a typed error (property)", () => {
    const extreme = fc.oneof(
      fc.double(),
      fc.constantFrom(
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        8.64e15,
        8.64e15 + 1,
        -8.64e15 - 1,
        1e13 * 1000,
      ),
      fc.integer({ min: NOW - 600_000, max: NOW + 600_000 }),
    );
    fc.assert(
      fc.property(extreme, (ms) => {
        const timestamp = new Date(ms);
        const time = timestamp.getTime();
        const inside = Number.isFinite(time) && time >= NOW - window.pastMs && time <= NOW + window.futureMs;
        let thrown: unknown;
        try {
          checkFreshness(timestamp, NOW, window);
        } catch (error) {
          thrown = error;
        }
        if (inside) expect(thrown).toBeUndefined();
        else {
          expect(thrown).toBeInstanceOf(WebhookError);
          expect(["malformed_header", "timestamp_too_old", "timestamp_in_future"]).toContain(
            (thrown as WebhookError).code,
          );
        }
      }),
      { numRuns: 2000 },
    );
  });
});
