/**
 * The template `pulumi up` puts for a destination (pipeline/elasticsearch/indexTemplates.ts), put on
 * a pattern of the caller's instead: the integration tier's indices and the benchmark's, so their
 * documents are typed as a deployed stack's are.
 */
import type { Client } from "@elastic/elasticsearch";
import { indexTemplateBody } from "../../pipeline/elasticsearch/indexTemplates";

/** Puts the template for indices (or, with `dataStream`, data streams) matching `pattern`, before they are created. */
export async function putShipperTemplate(client: Client, pattern: string, dataStream = false): Promise<void> {
  await client.transport.request({
    method: "PUT",
    path: `/_index_template/shipper-${pattern.replace(/[^a-z0-9-]/g, "all")}`,
    body: indexTemplateBody([pattern], { dataStream, mechanism: "lifecycle" }),
  });
}
