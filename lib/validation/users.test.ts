import { describe, expect, it } from "vitest";
import { createUserSchema } from "@/lib/validation/users";

describe("createUserSchema", () => {
  it("normalises the email and defaults the role", () => {
    expect(createUserSchema.parse({ email: "  Alice@Example.COM ", password: "long enough!" })).toEqual({
      email: "alice@example.com",
      password: "long enough!",
      role: "user",
    });
  });

  it.each([
    [{ email: "not-an-email", password: "long enough!" }, "email", "must be an email address"],
    [{ email: "a@b.co", password: "short" }, "password", "at least 10 characters"],
    [{ email: "a@b.co", password: "long enough!", role: "root" }, "role", "admin or user"],
    [{ password: "long enough!" }, "email", "is required"],
  ])("refuses %o naming %s", (input, field, reason) => {
    const issue = createUserSchema.safeParse(input).error?.issues[0];
    expect(issue?.path).toEqual([field]);
    expect(issue?.message).toContain(reason);
  });
});
