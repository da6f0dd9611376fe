import { ApiError } from "@/lib/api/api-error";
import { publicApiRoute } from "@/lib/api/api-route";
import { getPrisma } from "@/lib/db/prisma";
import { findEngine } from "@/lib/tunnels/engine-port";

export const dynamic = "force-dynamic";

async function databaseAnswers(): Promise<boolean> {
  try {
    await getPrisma().$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}

/** `?ready=1`, for load balancers: whether this node can serve, part by part,
 *  answered 503 unless the database answers and the tunnel engine runs. */
async function readiness(): Promise<Response> {
  const database = await databaseAnswers();
  const engine = findEngine()?.health() ?? { running: false, journalBacklog: 0 };
  const ready = database && engine.running;
  return Response.json(
    { status: ready ? "ok" : "unavailable", database, engine: engine.running, journalBacklog: engine.journalBacklog },
    { status: ready ? 200 : 503 },
  );
}

export const { GET, POST, PUT, PATCH, DELETE } = publicApiRoute({
  GET: async ({ req }) => {
    if (new URL(req.url).searchParams.get("ready") === "1") return readiness();
    if (!(await databaseAnswers())) throw new ApiError({ code: "unavailable", message: "the database does not answer" });
    return Response.json({ status: "ok" });
  },
});
