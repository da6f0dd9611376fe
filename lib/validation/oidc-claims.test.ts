import { describe, expect, it } from "vitest";
import { oidcIdentity } from "@/lib/validation/oidc-claims";

const base = { iss: "https://idp.example.com", sub: "u-1", email: " Ann@Example.COM " };

describe("oidcIdentity", () => {
  it("takes the subject, the email in lower case, whether it is verified, the name and the groups", () => {
    expect(oidcIdentity({ ...base, email_verified: true, name: " Ann ", groups: ["a", "b", "a", 7, "", "  "] }, "groups")).toEqual({
      issuer: "https://idp.example.com",
      subject: "u-1",
      email: "ann@example.com",
      emailVerified: true,
      name: "Ann",
      groups: ["a", "b"],
    });
  });

  it("reads groups from the configured claim, a single name as a list of one, and none when it is missing or malformed", () => {
    expect(oidcIdentity({ ...base, roles: "admins" }, "roles")).toMatchObject({ groups: ["admins"] });
    expect(oidcIdentity({ ...base, groups: { a: 1 } }, "groups")).toMatchObject({ groups: [] });
    expect(oidcIdentity(base, "groups")).toMatchObject({ groups: [], emailVerified: false, name: null });
    expect(oidcIdentity({ ...base, email_verified: "true" }, "groups")).toMatchObject({ emailVerified: true });
  });

  it("says what is missing when there is no usable email or subject", () => {
    expect(oidcIdentity({ iss: base.iss, sub: "u-1" }, "groups")).toEqual({ missing: "email" });
    expect(oidcIdentity({ ...base, email: "not an email" }, "groups")).toEqual({ missing: "email" });
    expect(oidcIdentity({ iss: base.iss, email: base.email }, "groups")).toEqual({ missing: "subject" });
  });
});
