/** The tags the shipper puts on a document for a condition a human should see (ECS `tags`). */

/** The line was not valid JSON in an ndjson object: shipped as text in `message`. */
export const TAG_INVALID_JSON = "_shipper_invalid_json";
/** Cut short: a line longer than MAX_LINE_BYTES, or a dead letter's record kept to its first 32 KiB. */
export const TAG_TRUNCATED = "_shipper_truncated";
/** A line of one of AWS's formats (alb, vpcflow, …) that does not parse: indexed as text in `message`. */
export const TAG_PARSE_FAILURE = "_shipper_parse_failure";
/** No usable timestamp in the record's field: `@timestamp` is the notification's time. */
export const TAG_TIMESTAMP_FALLBACK = "_shipper_timestamp_fallback";
