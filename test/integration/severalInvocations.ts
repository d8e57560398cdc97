/**
 * One producer deployed into moto for an object too large for one invocation: a 10 s function
 * timeout and small requests to the tier's one-thread write pool, so the object is continued. The
 * object is put once deployed. Used by the tier's streaming scenarios (multiline, json).
 */
import { Client } from "@elastic/elasticsearch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { awsClients, deployLocalStack, queueDepth, type LocalProducer } from "../../scripts/local/localPipeline";
import { startElasticsearch, startMoto, type ElasticsearchMajor } from "../../scripts/local/services";

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
  const local = await deployLocalStack({ awsEndpoint, elasticsearch: es }, config, {
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
      await client.close();
    },
  };
}
