import { standardWebhooks } from "../standard-webhooks/standard-webhooks.js";
import { svix } from "../standard-webhooks/svix.js";
import { adyenProvider } from "./adyen.js";
import { discordProvider } from "./discord.js";
import { githubProvider } from "./github.js";
import { gitlabProvider } from "./gitlab.js";
import { hubspotProvider } from "./hubspot.js";
import { intercomProvider } from "./intercom.js";
import { lemonSqueezyProvider } from "./lemon-squeezy.js";
import { linearProvider } from "./linear.js";
import { mailgunProvider } from "./mailgun.js";
import { metaProvider } from "./meta.js";
import { paddleProvider } from "./paddle.js";
import { paypalProvider } from "./paypal.js";
import { plaidProvider } from "./plaid.js";
import { postmarkProvider } from "./postmark.js";
import { defineProvider } from "./provider.js";
import { sendgridProvider } from "./sendgrid.js";
import { shopifyProvider } from "./shopify.js";
import { slackProvider } from "./slack.js";
import { squareProvider } from "./square.js";
import { stripeProvider } from "./stripe.js";
import { clerkProvider, resendProvider } from "./svix-based.js";
import { telegramProvider } from "./telegram.js";
import { twilioProvider } from "./twilio.js";
import { typeformProvider } from "./typeform.js";
import { vercelProvider } from "./vercel.js";
import { zoomProvider } from "./zoom.js";

const standardWebhooksProvider = defineProvider(
  {
    title: "Standard Webhooks",
    algorithm: "hmac-sha256",
    timestamped: true,
    messageId: "webhook-id (signed); v1a Ed25519 keys too",
    docs: "https://www.standardwebhooks.com/",
    keys: "secret",
  },
  standardWebhooks,
);

const svixProvider = defineProvider(
  {
    title: "Svix",
    algorithm: "hmac-sha256",
    timestamped: true,
    messageId: "svix-id (signed)",
    docs: "https://docs.svix.com/receiving/verifying-payloads/how-manual",
    keys: "secret",
  },
  svix,
);

/**
 * Every provider preset by name, with what it needs and how it protects against replays: the
 * CLI's scheme list comes from here, and so can an app's configuration.
 *
 * @example
 * const { create, timestamped, docs } = providers.github;
 * const scheme = providers[process.env.WEBHOOK_PROVIDER as ProviderName].create({ secret });
 */
export const providers = Object.freeze({
  "standard-webhooks": standardWebhooksProvider,
  svix: svixProvider,
  stripe: stripeProvider,
  github: githubProvider,
  slack: slackProvider,
  shopify: shopifyProvider,
  twilio: twilioProvider,
  discord: discordProvider,
  sendgrid: sendgridProvider,
  paddle: paddleProvider,
  "lemon-squeezy": lemonSqueezyProvider,
  linear: linearProvider,
  clerk: clerkProvider,
  resend: resendProvider,
  zoom: zoomProvider,
  hubspot: hubspotProvider,
  square: squareProvider,
  typeform: typeformProvider,
  vercel: vercelProvider,
  intercom: intercomProvider,
  meta: metaProvider,
  gitlab: gitlabProvider,
  telegram: telegramProvider,
  postmark: postmarkProvider,
  mailgun: mailgunProvider,
  plaid: plaidProvider,
  adyen: adyenProvider,
  paypal: paypalProvider,
});

/** The name of a registered provider. */
export type ProviderName = keyof typeof providers;
