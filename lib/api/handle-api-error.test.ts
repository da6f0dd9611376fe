import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ApiError } from "@/lib/api/api-error";
import { handleApiError } from "@/lib/api/handle-api-error";

async function answer(error: unknown) {
  const response = handleApiError(error);
  return { status: response.status, body: (await response.json()) as { error: Record<string, unknown> } };
}

describe("handleApiError", () => {
  it("keeps an ApiError's code, message and field", async () => {
    const { status, body } = await answer(new ApiError({ code: "conflict", field: "listen.port", message: "port 20001 is in use" }));
    expect(status).toBe(409);
    expect(body).toEqual({ error: { code: "conflict", field: "listen.port", message: "port 20001 is in use" } });
  });

  it("answers zod errors with 422 naming the field and the reason", async () => {
    const schema = z.object({ listen: z.object({ port: z.number().min(1, { error: "must be at least 1" }) }) });
    const { status, body } = await answer(schema.safeParse({ listen: { port: 0 } }).error);
    expect(status).toBe(422);
    expect(body.error).toEqual({ code: "unprocessable_entity", field: "listen.port", message: "listen.port: must be at least 1" });
  });

  it("maps Prisma's unique conflict to 409 and missing record to 404", async () => {
    expect((await answer({ code: "P2002", meta: { target: ["email"] } })).status).toBe(409);
    expect((await answer({ code: "P2025" })).status).toBe(404);
  });

  it("answers anything else with 500 and no internals", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const { status, body } = await answer(new Error("SQLITE_CORRUPT at /var/lib/warren/warren.db"));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain("SQLITE");
    expect(body.error).toEqual({ code: "internal_server_error", message: "internal error" });
    log.mockRestore();
  });
});
