/**
 * `npm run demo:put -- FILE s3://BUCKET/KEY`: uploads a file into the demo stack's emulator (the
 * endpoint `npm run demo` wrote into .demo/outputs.json), as a producer would write into its bucket.
 * While `npm run demo -- --serve` runs, the bucket's notification sends it to its producer's queue.
 */
import "./local/quietSdkNotice";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../pipeline/function/functionBuild";
import { awsClients } from "./local/localPipeline";

const USAGE = "usage: npm run demo:put -- FILE s3://BUCKET/KEY   (after npm run demo, while its services run)\n";

async function main(): Promise<void> {
  const [file, target] = process.argv.slice(2);
  const location = /^s3:\/\/([^/]+)\/(.+)$/.exec(target ?? "");
  if (!file || !location) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  const outputsFile = path.join(PROJECT_ROOT, ".demo", "outputs.json");
  let endpoint: string;
  try {
    endpoint = (JSON.parse(readFileSync(outputsFile, "utf8")) as { emulatorEndpoint: string }).emulatorEndpoint;
  } catch {
    throw new Error(`no demo stack: ${path.relative(process.cwd(), outputsFile)} is missing; run npm run demo first`);
  }
  const [, bucket = "", key = ""] = location;
  const body = readFileSync(file);
  await awsClients(endpoint).s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  process.stdout.write(`put ${body.length} bytes into s3://${bucket}/${key}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo:put failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
