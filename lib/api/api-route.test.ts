import { describe, expect, it, vi } from "vitest";
import { ApiError } from "@/lib/api/api-error";
import { apiRoute, publicApiRoute } from "@/lib/api/api-route";

const context = { params: Promise.resolve({ id: "t1" }) };
const request = (method: string, headers: Record<string, string> = {}) => new Request("http://warren.test/api/v1/things/t1", { method, headers });

async function answer(response: Promise<Response>) {
  const settled = await response;
  return { status: settled.status, body: (await settled.json()) as unknown };
}

describe("apiRoute", () => {
  it("answers every method it is not given with a JSON 405 naming the ones it takes, before asking who calls", async () => {
    const handler = vi.fn(async () => Response.json({}));
    const route = apiRoute<{ id: string }>({ GET: handler, DELETE: handler });
    for (const method of ["POST", "PUT", "PATCH"] as const) {
      expect(await answer(route[method](request(method), context))).toEqual({
        status: 405,
        body: { error: { code: "method_not_allowed", message: `${method} is not allowed here; use GET or DELETE` } },
      });
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it("authenticates before a handler runs, answering in the one error shape", async () => {
    const handler = vi.fn(async () => Response.json({}));
    const route = apiRoute<{ id: string }>({ GET: handler });
    expect(await answer(route.GET(request("GET", { authorization: "Basic YWRtaW46cGFzc3dvcmQ=" }), context))).toEqual({
      status: 401,
      body: { error: { code: "unauthorized", message: "Authorization header must be 'Bearer <token>'" } },
    });
    expect(handler).not.toHaveBeenCalled();
  });
});

describe("publicApiRoute", () => {
  it("runs its handlers for anyone and turns what they throw into the one error shape", async () => {
    const route = publicApiRoute({
      GET: async () => Response.json({ status: "ok" }),
      POST: async () => {
        throw new ApiError({ code: "unavailable", message: "the database does not answer" });
      },
    });
    const none = { params: Promise.resolve({}) };
    expect(await answer(route.GET(request("GET"), none))).toEqual({ status: 200, body: { status: "ok" } });
    expect(await answer(route.POST(request("POST"), none))).toEqual({
      status: 503,
      body: { error: { code: "unavailable", message: "the database does not answer" } },
    });
    expect((await answer(route.DELETE(request("DELETE"), none))).status).toBe(405);
  });
});
