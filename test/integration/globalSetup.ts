/** Starts moto and one Elasticsearch node per version under test before the integration tier. */
import { majorsUnderTest, startElasticsearch, startMoto } from "../../scripts/local/services";

export default async function setup(): Promise<void> {
  const started = await Promise.all([startMoto(), ...majorsUnderTest().map((major) => startElasticsearch(major))]);
  const versions = started.slice(1).map((info) => (typeof info === "string" ? info : info.version));
  process.stdout.write(
    `integration services: moto at ${String(started[0])}, Elasticsearch ${versions.join(" and ")}\n`,
  );
}
