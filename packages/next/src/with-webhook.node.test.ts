// @vitest-environment node
import { expect, it } from "vitest";
import { defineWithWebhookSuite } from "./with-webhook.suite.js";

it("runs in Node.js", () => {
  expect(typeof process.versions.node).toBe("string");
});

defineWithWebhookSuite("Node.js");
