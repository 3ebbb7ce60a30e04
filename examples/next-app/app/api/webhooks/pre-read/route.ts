import { standardWebhooks, withWebhook } from "@hooksec/next";

const verify = withWebhook(
  () => ({ scheme: standardWebhooks({ secret: process.env.WEBHOOK_SECRET ?? "" }) }),
  () => new Response(null, { status: 204 }),
);

// What NOT to do: reading the body before verification. The signature covers
// the raw bytes, so hooksec refuses rather than verify a re-serialised body: a
// setup error (body_already_consumed) thrown to Next.js, which logs its message
// (how to fix the route) and answers 500. Kept here to show the error it gives.
export async function POST(request: Request): Promise<Response> {
  await request.text();
  return verify(request);
}
