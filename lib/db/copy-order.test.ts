// COPY_ORDER against prisma/schema.prisma itself: every model once, with its
// primary key, after every model it holds a foreign key to; and no name mapped,
// since the copy writes a model's rows to the table and columns named alike.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { COPY_ORDER } from "@/lib/db/copy-order";
import { Prisma } from "@/lib/generated/prisma/client";

type SchemaModel = { key: string[]; references: string[] };

const schema = readFileSync(path.resolve(import.meta.dirname, "../../prisma/schema.prisma"), "utf8");

/** Each model's primary key and the models its `@relation(fields: …)` fields point at, read from the schema's text. */
function schemaModels(): Map<string, SchemaModel> {
  const models = new Map<string, SchemaModel>();
  for (const [, name, body] of schema.matchAll(/^model (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const single = /^\s*(\w+)\s+\S+.*\s@id\b/m.exec(body!)?.[1];
    const compound = /@@id\(\[([^\]]+)\]\)/.exec(body!)?.[1]?.split(/\s*,\s*/);
    const references = [...body!.matchAll(/^\s*\w+\s+(\w+)\??\s+@relation\([^)]*\bfields:/gm)].map((match) => match[1]!);
    models.set(name!, { key: compound ?? (single ? [single] : []), references });
  }
  return models;
}

describe("COPY_ORDER", () => {
  const models = schemaModels();

  it("lists every model of the schema once", () => {
    const listed = COPY_ORDER.map((entry) => entry.model);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(Object.values(Prisma.ModelName).sort());
    expect([...listed].sort()).toEqual([...models.keys()].sort());
  });

  it("may write each model's rows under its own names: the schema maps no model, field or enum value to another", () => {
    expect(schema).not.toMatch(/@@?map\(/);
  });

  it("pages each model by its primary key", () => {
    for (const { model, key } of COPY_ORDER) expect({ model, key }).toEqual({ model, key: models.get(model)?.key });
  });

  it("writes each model after the models it holds foreign keys to (none refers to itself)", () => {
    const position = new Map(COPY_ORDER.map((entry, index) => [entry.model as string, index]));
    for (const [model, { references }] of models) {
      for (const referenced of references) {
        expect(`${model} → ${referenced}: ${position.get(referenced)! < position.get(model)! ? "after" : "not after"}`).toBe(`${model} → ${referenced}: after`);
      }
    }
  });
});
