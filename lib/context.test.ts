import { describe, expect, it } from "vitest";
import { actorId, actorName, systemCtx, type Ctx } from "@/lib/context";

const user: Ctx = { actor: { type: "user", id: "u1", email: "ada@example.com", role: "user" } };

describe("the actor of a context", () => {
  it("is a user by id and email", () => {
    expect(actorId(user)).toBe("u1");
    expect(actorName(user)).toBe("ada@example.com");
  });

  it("is the system by name, with no user id", () => {
    expect(actorId(systemCtx("cli"))).toBeNull();
    expect(actorName(systemCtx("cli"))).toBe("cli");
  });
});
