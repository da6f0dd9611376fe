import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatUserCode, newUserCode, normalizeUserCode, USER_CODE_ALPHABET } from "@/lib/auth/user-code";
import { deviceNameSchema, userCodeSchema } from "@/lib/validation/devices";

describe("user codes", () => {
  it("are eight consonants, shown as two groups of four", () => {
    for (let i = 0; i < 200; i++) {
      const code = newUserCode();
      expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
      expect(formatUserCode(code)).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    }
    expect(USER_CODE_ALPHABET).not.toMatch(/[AEIOUY0-9]/);
  });

  it("read back whatever case, spaces or dashes they are typed with", () => {
    fc.assert(
      fc.property(fc.constantFrom(...Array.from({ length: 50 }, newUserCode)), fc.constantFrom("", "-", " ", " - "), fc.boolean(), (code, separator, lower) => {
        const typed = `${code.slice(0, 4)}${separator}${code.slice(4)}`;
        expect(normalizeUserCode(lower ? typed.toLowerCase() : typed)).toBe(code);
      }),
    );
  });

  it("refuse what cannot be one: vowels, digits, the wrong length", () => {
    for (const typed of ["BCDF-GHJ", "BCDF-GHJKL", "BCDF-GHJA", "BCDF-GHJ0", "", "BCDF_GHJK", "ВCDF-GHJK"]) {
      expect(normalizeUserCode(typed), typed).toBeNull();
      expect(userCodeSchema.safeParse(typed).success, typed).toBe(false);
    }
    expect(userCodeSchema.parse(" bcdf-ghjk ")).toBe("BCDFGHJK");
  });
});

describe("device names", () => {
  it("are the host name a laptop sends, trimmed, within 64 characters and without control characters", () => {
    expect(deviceNameSchema.parse("  ada-laptop.local ")).toBe("ada-laptop.local");
    for (const name of ["", "   ", "x".repeat(65), "evil\nname", "bell\u0007"]) expect(deviceNameSchema.safeParse(name).success, name).toBe(false);
  });
});
