export default function Home() {
  return (
    <main>
      <h1>hooksec Next.js example</h1>
      <p>
        <code>POST /api/webhooks</code> receives Standard Webhooks, <code>POST /api/webhooks/stripe</code> Stripe events
        (edge runtime), <code>GET /api/events</code> lists what was processed.
      </p>
    </main>
  );
}
