/**
 * The text form of CloudTrail's open-ended members, as Elasticsearch's ingest pipeline writes a parsed
 * object (`Map.toString()`): the expected strings below were printed by the JDK itself (OpenJDK 17,
 * `java.util.HashMap` filled in the record's order, as `XContentParser.map()` fills it); the
 * integration tier holds random objects to a running JDK as well (test/integration/javaMapText.test.ts).
 */
import { describe, expect, it } from "vitest";
import { hashMapOrder, javaMapText, javaNumber } from "../../../../../lambda/documents/aws/javaMapText";
import { dropEmpty } from "../../../../../lambda/documents/aws/emptyValues";

describe("javaMapText", () => {
  it("writes what the JDK prints for CloudTrail's shapes: nested maps and lists, HashMap order, not the record's", () => {
    expect(javaMapText({ instancesSet: { items: [{ instanceId: "i-ebeaf9e2" }] } })).toBe(
      "{instancesSet={items=[{instanceId=i-ebeaf9e2}]}}",
    );
    expect(
      javaMapText({
        roleArn: "arn:aws:iam::111122223333:role/Admin",
        roleSessionName: "session",
        durationSeconds: 3600,
        externalId: "ext",
      }),
    ).toBe(
      "{durationSeconds=3600, roleArn=arn:aws:iam::111122223333:role/Admin, roleSessionName=session, externalId=ext}",
    );
    expect(javaMapText({ userName: "alice", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })).toBe(
      "{policyArn=arn:aws:iam::aws:policy/AdministratorAccess, userName=alice}",
    );
    // More than twelve entries: the table has grown to 32 slots, and the order with it.
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`key${index}`, index]));
    expect(javaMapText(twenty)).toBe(
      "{key1=1, key2=2, key0=0, key5=5, key6=6, key3=3, key4=4, key9=9, key7=7, key8=8, key11=11, key10=10, key15=15, key14=14, key13=13, key12=12, key19=19, key18=18, key17=17, key16=16}",
    );
  });

  it("writes numbers as Integer, Long and Double.toString do", () => {
    expect([1.0e-5, 0.001, 1234567.5, 12345678.9, 256.5, -0.25].map(javaNumber)).toEqual([
      "1.0E-5",
      "0.001",
      "1234567.5",
      "1.23456789E7",
      "256.5",
      "-0.25",
    ]);
    expect([0, 3600, -7, 2 ** 40].map(javaNumber)).toEqual(["0", "3600", "-7", "1099511627776"]);
    expect(javaMapText({ f: true, g: false, h: null, list: ["a", 1, ["b"]] })).toBe(
      "{f=true, g=false, h=null, list=[a, 1, [b]]}",
    );
  });

  it("orders keys by bucket, then as they were put: the same keys in another order keep their buckets", () => {
    expect(hashMapOrder(["userName", "policyArn"])).toEqual(["policyArn", "userName"]);
    expect(hashMapOrder(["policyArn", "userName"])).toEqual(["policyArn", "userName"]);
  });

  it("drops what the integration's pipeline drops first: null, empty strings, and objects and lists left empty", () => {
    expect(dropEmpty({ a: null, b: "", c: { d: null, e: [] }, f: [null, "", "x"], g: 0, h: false, i: {} })).toEqual({
      f: ["x"],
      g: 0,
      h: false,
    });
    expect(dropEmpty({ a: null })).toBeUndefined();
  });
});
