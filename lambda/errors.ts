/** Typed errors of the shipper function: one class per failure kind, with context and `cause`. */

export class ShipperError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The function's environment is incomplete or malformed: a deployment bug, fails every message. */
export class ConfigurationError extends ShipperError {}

/** Something went wrong with one object; the message names it, `detail` says what. */
export class ObjectError extends ShipperError {
  constructor(
    readonly bucket: string,
    readonly key: string,
    /** What went wrong, without the object's name. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`s3://${bucket}/${key}: ${detail}`, options);
  }
}

/** S3 could not deliver the object (after resuming with ranged GETs). Transient. */
export class ObjectReadError extends ObjectError {}

/** The object's content cannot be read in the configured format (e.g. invalid JSON document). Permanent. */
export class ObjectFormatError extends ObjectError {}

/** Elasticsearch did not accept a bulk request after every retry. Transient: SQS redelivers. */
export class IndexingUnavailableError extends ShipperError {}

/** Credentials could not be read from SSM. */
export class CredentialsError extends ShipperError {}
