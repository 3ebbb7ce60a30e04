import { randomBytes } from "node:crypto";

/** A Standard Webhooks secret made for this run only (never a real one). */
export const newSecret = (): string => `whsec_${randomBytes(24).toString("base64")}`;
