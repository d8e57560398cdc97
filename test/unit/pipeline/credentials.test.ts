import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { credentialsFromVaultData } from "../../../pipeline/resources/credentials";

describe("credentialsFromVaultData", () => {
  it("prefers api_key", () => {
    expect(credentialsFromVaultData({ api_key: "k", username: "u", password: "p" }, "secret/es")).toEqual({
      apiKey: "k",
    });
  });

  it("accepts username + password", () => {
    expect(credentialsFromVaultData({ username: "u", password: "p" }, "secret/es")).toEqual({
      username: "u",
      password: "p",
    });
  });

  it.each([[{ user: "x", pass: "y" }], [{ username: "u" }], [{}], [undefined]])(
    "refuses %j at deploy time with a RunError that shows no value",
    (data) => {
      let thrown: unknown;
      try {
        credentialsFromVaultData(data, "secret/logging/elasticsearch");
      } catch (error) {
        thrown = error;
      }
      expect(pulumi.RunError.isInstance(thrown)).toBe(true);
      const message = (thrown as Error).message;
      expect(message).toContain(
        'Vault secret secret/logging/elasticsearch must hold "api_key", or "username" and "password"',
      );
      for (const value of Object.values(data ?? {})) expect(message).not.toContain(`"${value}"`);
    },
  );
});
