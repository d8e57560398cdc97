/** Typed errors of the shipper function: one class per failure kind, with context and `cause`. */

export class ShipperError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The function's environment is incomplete or malformed: a deployment bug, fails every message. */
export class ConfigurationError extends ShipperError {}

/** S3 could not deliver the object (after resuming with ranged GETs). Transient. */
export class ObjectReadError extends ShipperError {
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

/** The object's content cannot be read in the configured format (e.g. invalid JSON document). Permanent. */
export class ObjectFormatError extends ShipperError {
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

/** Elasticsearch did not accept a bulk request after every retry. Transient: SQS redelivers. */
export class IndexingUnavailableError extends ShipperError {}

/** Credentials could not be read from SSM. */
export class CredentialsError extends ShipperError {}
