/** Typed errors of the shipper function: one class per failure kind, with context and `cause`. */

export class ShipperError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The function's environment is incomplete or malformed: a deployment bug, fails every message. */
export class FunctionEnvironmentError extends ShipperError {}

/**
 * Something went wrong with one object; the message names it, `detail` says what, `transient`
 * whether trying again later can succeed without anyone acting.
 */
export abstract class ObjectError extends ShipperError {
  abstract readonly transient: boolean;

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

/**
 * S3 could not deliver the object. Transient for throttling, 5xx and broken connections (after
 * resuming with ranged GETs); permanent when S3 says the object or version is gone or forbidden.
 */
export class ObjectReadError extends ObjectError {
  readonly transient: boolean;

  constructor(bucket: string, key: string, detail: string, options: { cause?: unknown; transient: boolean }) {
    super(bucket, key, detail, options);
    this.transient = options.transient;
  }
}

/** The object's content cannot be read (corrupt gzip, not the configured format, too large). Permanent. */
export class ObjectFormatError extends ObjectError {
  readonly transient = false;
}

/** Credentials could not be read from SSM. */
export class CredentialsError extends ShipperError {}

/**
 * One line for logs and failure reasons: `Name: message`. For an object error the object's name
 * is left out (`detail` only): the log line that carries the reason names the object already.
 */
export function describeError(error: unknown): string {
  if (error instanceof ObjectError) return `${error.name}: ${error.detail}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
