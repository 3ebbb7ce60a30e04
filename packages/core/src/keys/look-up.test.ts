import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WebhookError } from "../errors/webhook-error.js";
import { lookUpList } from "./look-up.js";

describe("lookUpList", () => {
  it("answers a list: none for undefined, one for a single answer, the same list for a list; the tenant is passed through", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.string(), { nil: undefined }),
        fc.oneof(fc.constant(undefined), fc.string(), fc.array(fc.string())),
        async (tenant, answer) => {
          const asked: Array<string | undefined> = [];
          const list = await lookUpList(
            async (context) => {
              asked.push(context.tenant);
              return answer;
            },
            tenant,
            "secrets",
          );
          expect(asked).toEqual([tenant]);
          expect(list).toEqual(answer === undefined ? [] : Array.isArray(answer) ? answer : [answer]);
        },
      ),
    );
  });

  it("a lookup that throws or rejects is the app's setup failing: invalid_options naming the lookup, the cause kept", async () => {
    const cause = new Error("database down");
    for (const lookup of [
      () => {
        throw cause;
      },
      () => Promise.reject(cause),
    ]) {
      const failure = await lookUpList(lookup, "acme", "keys").catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(WebhookError);
      expect(failure).toMatchObject({
        code: "invalid_options",
        message: expect.stringContaining("the keys lookup failed"),
        cause,
      });
    }
  });
});
