/**
 * One line of `s3ls doctor`: a check, its verdict and what to do. `unchecked` is what the operator's
 * credentials may not read: it says nothing of the pipeline, so it is neither "ok" nor a failure.
 */
import { describeError } from "../../lambda/errors";
import type { SourceCheck } from "../notificationSource";

export type Verdict = SourceCheck["verdict"];

export interface DoctorCheck {
  /** What was checked: source, queue, mapping, encryption, elasticsearch, freshness. */
  check: string;
  verdict: Verdict;
  /** What was found, and when it is wrong, the fix. */
  detail: string;
}

export type Finding = Omit<DoctorCheck, "check">;

export const ok = (detail: string): Finding => ({ verdict: "ok", detail });
export const problem = (detail: string): Finding => ({ verdict: "problem", detail });
export const unchecked = (detail: string): Finding => ({ verdict: "unchecked", detail });

/** The names AWS services give a refusal of the caller's own permissions (and a 403 of any name). */
const REFUSALS = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "AuthorizationError",
  "AuthorizationErrorException",
  "UnauthorizedOperation",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "ExpiredToken",
]);

export function isRefusal(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return REFUSALS.has(error.name) || status === 403;
}

/** The error's name as AWS answered it (NoSuchBucket, ResourceNotFoundException, …). */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "Error";
}

/**
 * Runs one check; what it could not read (a refusal, an unexpected answer, no answer) becomes
 * `unchecked`, naming what it reads and the permission, never "ok".
 */
export async function runCheck(
  check: string,
  reads: { what: string; permission: string },
  body: () => Promise<Finding | Finding[]>,
): Promise<DoctorCheck[]> {
  try {
    const findings = await body();
    return [findings].flat().map((finding) => ({ check, ...finding }));
  } catch (error) {
    const detail = isRefusal(error)
      ? `cannot read ${reads.what} with your credentials (${errorName(error)}); ${reads.permission} reads it`
      : `could not read ${reads.what}: ${describeError(error)}`;
    return [{ check, ...unchecked(detail) }];
  }
}
