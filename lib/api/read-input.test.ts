import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readBody, readQuery } from "@/lib/api/read-input";

const post = (body: unknown) => new Request("http://warren.test/api/v1/x", { method: "POST", body: JSON.stringify(body) });

describe("reading input", () => {
  it("refuses a NUL character anywhere, naming the field, before the schema sees it", async () => {
    const schema = z.object({ name: z.string(), tags: z.array(z.string()) });
    await expect(readBody(post({ name: "ok", tags: ["a", "b\u0000c"] }), schema)).rejects.toMatchObject({
      code: "unprocessable_entity",
      field: "tags.1",
      message: "tags.1: must not contain a NUL character",
    });
    expect(() => readQuery(new Request("http://warren.test/api/v1/x?q=a%00b"), z.object({ q: z.string() }))).toThrow("q: must not contain a NUL character");
    expect(readQuery(new Request("http://warren.test/api/v1/x?q=a&other=%00"), z.object({ q: z.string() }))).toEqual({ q: "a" });
    await expect(readBody(post({ name: "ok", tags: ["é", "日本"] }), schema)).resolves.toEqual({ name: "ok", tags: ["é", "日本"] });
  });
});
