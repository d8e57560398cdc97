/**
 * The JSON stored in the SSM parameter: the contract between `pipeline/resources/credentials.ts`, which
 * writes it from Vault at deploy time, and `lambda/bulk/credentials.ts`, which reads it at run time.
 */
import * as z from "zod/mini";

export const storedCredentialsSchema = z.union([
  z.object({ apiKey: z.string().check(z.minLength(1)) }),
  z.object({ username: z.string().check(z.minLength(1)), password: z.string().check(z.minLength(1)) }),
]);

export type StoredCredentials = z.infer<typeof storedCredentialsSchema>;
