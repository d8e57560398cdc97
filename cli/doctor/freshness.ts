/**
 * The newest object under the producer's filter, against `expectedIntervalMinutes`: when the
 * producer itself stopped writing (or writes elsewhere), the silence alarm fires too, and this says
 * which side is quiet. S3 lists in key order, not by time, so the listing is read whole up to a
 * bound and the newest `LastModified` taken; beyond the bound the detail says how much was seen.
 */
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { listingPrefix, matchesObjectFilter, objectFilterOf } from "../../lambda/contract/objectFilter";
import type { OperatorClients } from "../awsClients";
import type { ProducerOutputs } from "../stackOutputs";
import { ok, problem, runCheck, type DoctorCheck, type Finding } from "./check";

/** 20 pages of 1,000 keys: seconds, not minutes, for a prefix of a busy bucket. */
const MAX_KEYS_LISTED = 20_000;

export async function checkFreshness(
  clients: OperatorClients,
  producer: ProducerOutputs,
  now = new Date(),
): Promise<DoctorCheck[]> {
  const interval = producer.deployed?.expectedIntervalMinutes;
  if (interval === undefined) return [];
  return runCheck("freshness", { what: `the objects of s3://${producer.bucket}`, permission: "s3:ListBucket" }, () =>
    newestObject(clients, producer, interval, now),
  );
}

async function newestObject(
  clients: OperatorClients,
  producer: ProducerOutputs,
  intervalMinutes: number,
  now: Date,
): Promise<Finding> {
  const filter = objectFilterOf(producer);
  let newest: { key: string; at: Date } | undefined;
  let listed = 0;
  let token: string | undefined;
  do {
    const page = await clients.s3.send(
      new ListObjectsV2Command({
        Bucket: producer.bucket,
        Prefix: listingPrefix(filter),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) {
      listed += 1;
      if (!object.Key || !object.LastModified || !matchesObjectFilter(filter, producer.bucket, object.Key)) continue;
      if (!newest || object.LastModified > newest.at) newest = { key: object.Key, at: object.LastModified };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token && listed < MAX_KEYS_LISTED);
  const seen = token ? ` (of the first ${listed} keys listed; S3 lists by name, not time)` : "";
  if (!newest)
    return problem(
      `no object under the producer's filter${seen}, though it expects one every ${intervalMinutes} min: is the producer writing, and where?`,
    );
  const ageMinutes = Math.floor((now.getTime() - newest.at.getTime()) / 60_000);
  const detail = `newest object s3://${producer.bucket}/${newest.key} is ${ageMinutes} min old${seen}`;
  if (ageMinutes > intervalMinutes)
    return problem(
      `${detail}, older than expectedIntervalMinutes ${intervalMinutes}: the producer stopped writing here (the silence alarm fires for this too); check the producer, not the shipper`,
    );
  return ok(`${detail} (expected every ${intervalMinutes} min)`);
}
