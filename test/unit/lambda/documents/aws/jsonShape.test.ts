/** Documents written as JSON text by shape: the same as building the object and stringifying it. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonShape } from "../../../../../lambda/documents/aws/jsonShape";

const PATHS = ["source.ip", "source.port", "url.original", "aws.elb.name", "aws.elb.backend.ip", "tags", "message"];

describe("JsonShape", () => {
  it("writes any values, strings of any characters included, as the JSON of the nested object", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(...PATHS),
          fc.oneof(fc.string({ unit: "binary" }), fc.integer(), fc.array(fc.string(), { maxLength: 3 })),
        ),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string(), { maxKeys: 4 }),
        (fields, byName) => {
          const shape = new JsonShape();
          const document = shape.document();
          const expected: Record<string, unknown> = {};
          const set = (path: string[], value: unknown) => {
            let target = expected;
            for (const part of path.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
            target[path[path.length - 1] as string] = value;
          };
          for (const [path, value] of Object.entries(fields)) {
            document.put(path, value);
            const absent = value === "-" || value === "" || (Array.isArray(value) && value.length === 0);
            if (!absent) set(path.split("."), value);
          }
          for (const [name, value] of Object.entries(byName)) {
            document.putUnder("aws.extra", name, value);
            if (value !== "-" && value !== "") set(["aws", "extra", name], value);
          }
          expect(JSON.parse(document.json())).toEqual(expected);
        },
      ),
    );
  });

  it("writes paths of any names (quotes, backslashes, line separators), and a shape that grows between documents", () => {
    const name = fc.string({ unit: "binary", minLength: 1, maxLength: 6 }).filter((part) => !part.includes("."));
    const tree = fc.uniqueArray(
      fc.tuple(name, fc.option(fc.uniqueArray(name, { minLength: 1, maxLength: 3 }), { nil: undefined }), fc.string()),
      { selector: ([top]) => top, maxLength: 5 },
    );
    fc.assert(
      fc.property(tree, (entries) => {
        // Prepare: one document, one more field at a time, each written before the next grows the shape.
        const shape = new JsonShape();
        const document = shape.document();
        const expected: Record<string, unknown> = {};
        for (const [top, children, value] of entries) {
          const present = value !== "-" && value !== "";
          if (children === undefined) {
            document.put(top, value);
            if (present) expected[top] = value;
          } else
            for (const child of children) {
              document.put(`${top}.${child}`, value);
              if (present) ((expected[top] ??= {}) as Record<string, unknown>)[child] = value;
            }
          // Act and assess: the text is the JSON of the object so far.
          expect(JSON.parse(document.json())).toEqual(expected);
        }
      }),
    );
  });

  it("never writes a key twice: a name written by name that the shape knows is that field, a repeated one is kept once", () => {
    const shape = new JsonShape();
    const document = shape.document().put("aws.vpcflow.action", "ACCEPT");
    document
      .putUnder("aws.vpcflow", "action", "REJECT")
      .putUnder("aws.vpcflow", "x", 1)
      .putUnder("aws.vpcflow", "x", 2);
    const json = document.json();
    expect(json.match(/"action"/g)).toHaveLength(1);
    expect(json.match(/"x"/g)).toHaveLength(1);
    expect(JSON.parse(json)).toEqual({ aws: { vpcflow: { action: "ACCEPT", x: 1 } } });
  });

  it("leaves out objects with nothing in them, and writes @timestamp first", () => {
    const shape = new JsonShape();
    shape.document().put("source.ip", "192.0.2.1").put("url.path", "/");
    const document = shape.document().put("url.path", "/a");
    document.setJson(shape.context["@timestamp"], '"2026-01-01T00:00:00Z"');
    expect(document.json()).toBe('{"@timestamp":"2026-01-01T00:00:00Z","url":{"path":"/a"}}');
  });
});
