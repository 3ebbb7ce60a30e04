import { processedEvents } from "@/lib/inbox";

export const dynamic = "force-dynamic";

/** What this server processed (a stand-in for a dashboard). */
export function GET(): Response {
  return Response.json(processedEvents());
}
