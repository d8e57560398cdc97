/**
 * One producer deployed into moto for an object too large for one invocation: a 10 s function
 * timeout, small requests, and a node that answers each `_bulk` no sooner than 60 ms after it came
 * (a proxy): a fast machine's node alone took a whole object in one invocation, and the continuation
 * went untested. The object is put once deployed. Used by the tier's streaming scenarios (multiline, json).
 */
import { Client } from "@elastic/elasticsearch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { awsClients, deployLocalStack, queueDepth, type LocalProducer } from "../../scripts/local/localPipeline";
import { startCuttingProxy } from "../../scripts/local/cuttingProxy";
import { startElasticsearch, startMoto, type ElasticsearchMajor } from "../../scripts/local/services";

/**
 * How late the node's answers come: with 200 documents a request and two in flight, an object of
 * 150,000 records needs at least 750 / 2 × 60 ms = 22 s of answers, more than two 10 s invocations.
 */
const BULK_ANSWER_DELAY_MS = 60;

export interface SeveralInvocations {
  client: Client;
  producer: LocalProducer;
  index: string;
  /** Messages in the producer's DLQ. */
  deadLetters(): Promise<number>;
  stop(): Promise<void>;
}

export async function deployForSeveralInvocations(
  major: ElasticsearchMajor,
  name: string,
  producer: Record<string, unknown> & { prefix: string },
  object: { key: string; body: Buffer },
): Promise<SeveralInvocations> {
  const awsEndpoint = await startMoto();
  const es = await startElasticsearch(major);
  const client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
  const index = `es${major}-${name}`;
  const bucket = `es${major}-${name}`;
  await client.indices.delete({ index, ignore_unavailable: true });
  const config = {
    defaults: { timeoutSeconds: 10, batchSize: 1 },
    producers: [{ name: `es${major}-${name}`, bucket, index, ...producer }],
  };
  const slowNode = await startCuttingProxy(es.url, {
    slowAnswers: { pathFragment: "_bulk", delayMs: BULK_ANSWER_DELAY_MS },
  });
  const local = await deployLocalStack({ awsEndpoint, elasticsearch: { ...es, url: slowNode.url } }, config, {
    stack: `${name}-${major}`,
    retryBaseDelaySeconds: 1,
    // Small requests to the one-thread write pool: the object needs more than one invocation.
    extraEnvironment: { ES_BULK_MAX_DOCUMENTS: "200" },
    echoLogs: process.env.S3LS_ECHO_LOGS === "1",
  });
  const [deployed] = local.producers as [LocalProducer];
  const { s3, sqs } = awsClients(awsEndpoint);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: object.body }));
  return {
    client,
    producer: deployed,
    index,
    deadLetters: () => queueDepth(sqs, deployed.deadLetterQueueUrl),
    stop: async () => {
      deployed.function.kill();
      await slowNode.close();
      await client.close();
    },
  };
}
