/** The tags the shipper puts on a document for a condition a human should see (ECS `tags`). */

/** The line was not valid JSON in an ndjson object: shipped as text in `message`. */
export const TAG_INVALID_JSON = "_shipper_invalid_json";
/** Cut short: a line longer than MAX_LINE_BYTES, or a dead letter's record kept to its first 32 KiB. */
export const TAG_TRUNCATED = "_shipper_truncated";
/** A line of one of AWS's formats (alb, vpcflow, …) that does not parse: indexed as text in `message`. */
export const TAG_PARSE_FAILURE = "_shipper_parse_failure";
/** No usable timestamp in the record's field: `@timestamp` is the notification's time. */
export const TAG_TIMESTAMP_FALLBACK = "_shipper_timestamp_fallback";
/**
 * Part of a reshaped record (CloudTrail, WAF) has no field that can hold it — a member deeper or larger
 * than a flattened field takes, or one the shape does not know: the record is kept whole in `event.original`.
 */
export const TAG_ORIGINAL_KEPT = "_shipper_original_kept";
