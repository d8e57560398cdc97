/**
 * Stands in for `undici` in the function bundle. The Elasticsearch transport loads it at start-up
 * for its default `UndiciConnection`; the shipper uses the client's `HttpConnection` (Node's own
 * http, keep-alive agent) instead, which takes ~420 kB and a large part of cold start off every
 * invocation. Anything that does reach for undici fails loudly.
 */
const unavailable = (): never => {
  throw new Error("undici is not bundled into the shipper function; use HttpConnection");
};
export const buildConnector = unavailable;
export class Pool {
  constructor() {
    unavailable();
  }
}
