/**
 * The argument contract three ways, held together: the TypeScript interfaces a consumer's editor
 * shows (arguments.ts), the schema other languages get (inferred from them, as `npm run build`
 * writes dist/schema.json), and the zod schema every value is checked by (config.ts). Each key on
 * one side is on the others, required on all or optional on all, enums with the same values.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BulkCompression, LogFormat, MultilineMatch, NotificationSource } from "../../../pipeline/arguments";
import { NOTIFICATION_SOURCES, SETTINGS_SCHEMAS, SETTINGS_SECTIONS } from "../../../pipeline/validation/schema";
import { ES_COMPRESSIONS } from "../../../lambda/contract/env";
import { LOG_FORMATS } from "../../../lambda/contract/formats";
import { MULTILINE_MATCHES } from "../../../lambda/contract/multiline";
import { generatePackageSchema, SCHEMA_SNAPSHOT } from "../../../pipeline/provider/schemaGeneration";
import type { PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../../pipeline/function/functionBuild";
import { argumentReference, REFERENCE_END, REFERENCE_START } from "../../../pipeline/provider/argumentReference";

interface SchemaProperty {
  optional?: boolean;
}
interface SchemaType {
  properties?: Record<string, SchemaProperty>;
  enum?: Array<{ value: string }>;
}

let schema: PackageSpec;
const type = (name: string): SchemaType =>
  (schema.types as Record<string, SchemaType>)[`s3-log-shipper:index:${name}`] ?? {};

beforeAll(() => {
  schema = generatePackageSchema();
}, 60_000);

describe("the argument contract", () => {
  it("names the component and its top-level arguments as stack config names its sections", () => {
    const component = (schema.resources as Record<string, { inputProperties: Record<string, SchemaProperty> }>)[
      "s3-log-shipper:index:LogShipper"
    ];
    expect(Object.keys(component?.inputProperties ?? {}).sort()).toEqual([...SETTINGS_SECTIONS].sort());
    expect(
      Object.entries(component?.inputProperties ?? {})
        .filter(([, property]) => !property.optional)
        .map(([key]) => key)
        .sort(),
    ).toEqual(["elasticsearch", "producers"]);
  });

  it.each(Object.entries(SETTINGS_SCHEMAS))(
    "has every key of %s on both sides, required or optional alike",
    (name, zod) => {
      const properties = type(name).properties ?? {};
      expect(Object.keys(properties).sort(), `${name}: schema vs zod`).toEqual(Object.keys(zod.shape).sort());
      for (const [key, field] of Object.entries(zod.shape) as Array<
        [string, { safeParse(value: unknown): { success: boolean } }]
      >) {
        const optionalInZod = field.safeParse(undefined).success;
        expect(Boolean(properties[key]?.optional), `${name}.${key} optional`).toBe(optionalInZod);
      }
    },
  );

  it.each([
    ["LogFormat", LogFormat, LOG_FORMATS],
    ["NotificationSource", NotificationSource, NOTIFICATION_SOURCES],
    ["BulkCompression", BulkCompression, ES_COMPRESSIONS],
    ["MultilineMatch", MultilineMatch, MULTILINE_MATCHES],
  ] as const)("has the values of %s the function and the config know", (name, values, known) => {
    expect(Object.values(values).sort()).toEqual([...known].sort());
    expect((type(name).enum ?? []).map((member) => member.value).sort()).toEqual([...known].sort());
  });
});

describe("the argument reference in docs/configuration.md", () => {
  it("is what the schema generates (npm run docs:arguments writes it)", () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, "docs", "configuration.md"), "utf8");
    const start = readme.indexOf(REFERENCE_START);
    const end = readme.indexOf(REFERENCE_END) + REFERENCE_END.length;
    expect(start, "docs/configuration.md has the generated section").toBeGreaterThan(-1);
    expect(readme.slice(start, end)).toBe(argumentReference(schema));
  });
});

describe("the schema's snapshot (test/package/schema.snapshot.json)", () => {
  it("is the schema the sources give: the SDKs for other languages are generated from it (npm run docs:arguments writes it)", () => {
    expect(JSON.parse(readFileSync(SCHEMA_SNAPSHOT, "utf8"))).toEqual(JSON.parse(JSON.stringify(schema)));
  });
});
