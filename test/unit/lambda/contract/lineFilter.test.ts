import { describe, expect, it } from "vitest";
import { lineFilterFromEnvironment, lineFilterOf, patternProblem } from "../../../../lambda/contract/lineFilter";
import { FunctionEnvironmentError } from "../../../../lambda/errors";

describe("lineFilterOf", () => {
  it("keeps every line without expressions (no filter at all)", () => {
    expect(lineFilterOf([], [])).toBeUndefined();
  });

  it.each<[string[], string[], string, boolean]>([
    [["ERROR"], [], "2026 ERROR disk full", true],
    [["ERROR"], [], "2026 INFO started", false],
    [["ERROR", "WARN"], [], "2026 WARN slow", true],
    [[], ["GET /health"], "GET /health 200", false],
    [[], ["GET /health"], "GET /index 200", true],
    // exclude wins over include
    [["GET"], ["/health"], "GET /health 200", false],
    // a search anywhere in the line; anchors anchor at the line's ends
    [["^2026"], [], "x 2026", false],
    [["200$"], [], "GET / 200", true],
    // text, not bytes: a non-ASCII character is one character
    [["^é.$"], [], "éa", true],
  ])("include %j, exclude %j: %j kept %s", (include, exclude, line, kept) => {
    expect(lineFilterOf(include, exclude)?.keeps(line)).toBe(kept);
  });
});

describe("patternProblem", () => {
  it.each(["(?=a)b", "(a)\\1", "[unclosed"])("refuses %j, which RE2 does not compile", (pattern) => {
    expect(patternProblem(pattern)).toMatch(/error parsing regexp/);
  });

  it("accepts RE2 syntax", () => {
    expect(patternProblem("^\\d{1,3}(\\.\\d{1,3}){3} - (?i:get|post) /health")).toBeUndefined();
  });
});

describe("lineFilterFromEnvironment", () => {
  it("reads the JSON arrays the program writes", () => {
    expect(lineFilterFromEnvironment('["a"]', '["b"]')?.keeps("a")).toBe(true);
    expect(lineFilterFromEnvironment(undefined, undefined)).toBeUndefined();
  });

  it.each(["not json", '"a"', "[1]", '["(?=x)"]'])("refuses %j naming the variable", (value) => {
    expect(() => lineFilterFromEnvironment(value, undefined)).toThrow(FunctionEnvironmentError);
    expect(() => lineFilterFromEnvironment(value, undefined)).toThrow(/LINE_INCLUDE/);
  });
});
