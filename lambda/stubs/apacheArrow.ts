/**
 * Stands in for `apache-arrow` in the function bundle. The Elasticsearch client loads it at start-up
 * only for the ES|QL `toArrowTable` helper, which the shipper never calls; leaving it out takes
 * ~340 kB and a measurable part of cold start off every invocation. Calling into it fails loudly.
 */
const unavailable = (): never => {
  throw new Error("apache-arrow is not bundled into the shipper function");
};
export const tableFromIPC = unavailable;
export const AsyncRecordBatchStreamReader = { from: unavailable };
