import { describe, expect, it } from "vitest";
import { afterSignIn, loginPath, safeReturnPath } from "@/lib/auth/return-path";

describe("the page to come back to after sign-in", () => {
  it("is one of Warren's own paths, query included", () => {
    expect(safeReturnPath("/device?code=BCDF-GHJK")).toBe("/device?code=BCDF-GHJK");
    expect(loginPath("/device?code=BCDF-GHJK")).toBe("/login?next=%2Fdevice%3Fcode%3DBCDF-GHJK");
    expect(afterSignIn("/account")).toBe("/account");
  });

  it("never another site, the login page itself, the API or anything odd", () => {
    for (const path of ["https://evil.example/", "//evil.example", "/\\evil.example", "evil", "/login", "/login?next=/x", "/api/v1/me", "/a\nb", 42, null]) {
      expect(safeReturnPath(path), String(path)).toBeNull();
      expect(afterSignIn(path), String(path)).toBe("/tunnels");
    }
    expect(safeReturnPath(`/${"x".repeat(600)}`)).toBeNull();
  });

  it("is left out where sign-in lands anyway", () => {
    expect(loginPath("/tunnels")).toBe("/login");
    expect(loginPath(null)).toBe("/login");
  });
});
