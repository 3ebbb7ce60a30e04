// The module worker for workerd (no nodejs_compat): GET /battery runs the
// battery inside a request (workerd allows crypto and timers only there);
// /webhooks is the receiver app, keyed by the SECRET text binding.
import { createApp } from "./app.ts";
import { runBattery } from "./battery.ts";

interface Env {
  readonly SECRET: string;
}

let app: ((request: Request) => Promise<Response>) | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname === "/battery") {
      return Response.json({ runtime: { name: "workerd" }, results: await runBattery() });
    }
    app ??= createApp(env.SECRET);
    return app(request);
  },
};
