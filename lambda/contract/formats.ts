/** The log formats: named once here, read by the stack config, the environment and continuations. */

/** What a producer's objects hold; `auto` decides per object. */
export const LOG_FORMATS = ["ndjson", "text", "json", "auto"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A format once `auto` has been decided. */
export type ResolvedFormat = Exclude<LogFormat, "auto">;

/** Line formats: one record per line. */
export const LINE_FORMATS = ["text", "ndjson"] as const satisfies readonly ResolvedFormat[];
export type LineFormat = (typeof LINE_FORMATS)[number];
