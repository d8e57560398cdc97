/** A command used wrongly (unknown producer, missing flag, bad date): exit code 2, message, no stack. */
export class UsageError extends Error {}

/** Exit codes: 0 fine, 1 something needs attention or failed, 2 the command was used wrongly, 130 interrupted. */
export const EXIT = { ok: 0, attention: 1, usage: 2, interrupted: 130 } as const;
