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
    [{ email: "a@b.co", password: " ".repeat(10) }, "password", "at least 10 characters besides spaces at either end"],
    [{ email: "a@b.co", password: "   abc   def   " }, "password", "at least 10 characters besides spaces"],
    [{ email: "a@b.co", password: "aaaaaaaaaaaa" }, "password", "at least 5 different characters"],
    [{ email: "a@b.co", password: "abababababab" }, "password", "at least 5 different characters"],
    [{ email: "a@b.co", password: "Password 123" }, "password", "most common passwords"],
    [{ email: "a@b.co", password: "QWERTYUIOP" }, "password", "most common passwords"],
    [{ email: "a@b.co", password: "x".repeat(257) }, "password", "at most 256 characters"],
    [{ email: "a@b.co", password: "long enough!", role: "root" }, "role", "admin or user"],
    [{ password: "long enough!" }, "email", "is required"],
  ])("refuses %j naming %s", (input, field, reason) => {
    const issues = createUserSchema.safeParse(input).error?.issues ?? [];
    // One reason per field: the setup form shows the last, the API the first.
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual([field]);
    expect(issues[0]?.message).toContain(reason);
  });

  it("accepts a password with spaces inside, as typed", () => {
    expect(createUserSchema.parse({ email: "a@b.co", password: " correct horse battery " }).password).toBe(" correct horse battery ");
  });
});
