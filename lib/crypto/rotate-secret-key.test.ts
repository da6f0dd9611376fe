// rotate-secret re-encrypts every column the schema seals with
// WARREN_SECRET_KEY: one added to prisma/schema.prisma (named `…Enc` or
// `…Sealed`, or said to be sealed or encrypted) and missing from
// SEALED_COLUMNS fails here, before a rotation leaves it unreadable.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SEALED_COLUMNS } from "@/lib/crypto/rotate-secret-key";

/** Sealed with the device code that collects it, not with WARREN_SECRET_KEY (lib/auth/device-flow.ts). */
const NOT_UNDER_THE_SECRET_KEY = ["DeviceAuthorization.tokenSealed"];

function sealedFields(schema: string): string[] {
  let model = "";
  return schema.split("\n").flatMap((line) => {
    model = /^model (\w+) \{/.exec(line)?.[1] ?? model;
    const field = /^ {2}(\w+)\s+String\??(.*)$/.exec(line);
    if (!field || (!/(Enc|Sealed)$/.test(field[1]!) && !/sealed|encrypted/i.test(field[2]!))) return [];
    return [`${model}.${field[1]}`];
  });
}

describe("SEALED_COLUMNS", () => {
  it("lists every sealed column of the schema", () => {
    const sealed = sealedFields(readFileSync(path.resolve(import.meta.dirname, "../../prisma/schema.prisma"), "utf8")).filter(
      (name) => !NOT_UNDER_THE_SECRET_KEY.includes(name),
    );
    expect(SEALED_COLUMNS.map(({ table, column }) => `${table}.${column}`).sort()).toEqual(sealed.sort());
  });
});
