/**
 * What the function's code is to Lambda: its runtime and the file its handler lives in. Apart from
 * bundle.ts and functionBuild.ts so that each can name the file without importing the other (the
 * package loads the bundler only when it builds from the sources).
 */

/** Node.js runtime the function runs on; the bundle targets the same version. */
export const LAMBDA_RUNTIME = "nodejs22.x";

/** The file name inside the function's zip, and so the handler string `index.handler`. */
export const BUNDLE_FILE_NAME = "index.js";
