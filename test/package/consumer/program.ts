// A platform team's own Pulumi program (TypeScript) that adds log shipping beside its other resources.
import * as aws from "@pulumi/aws";
import { LogFormat, LogShipper } from "s3-log-shipper";

const archive = new aws.s3.Bucket("archive", { bucket: "acme-log-archive", forceDestroy: false });

const shipper = new LogShipper(
  "security-logs",
  {
    elasticsearch: {
      endpoint: "https://es.acme.internal:9243",
      vault: { mount: "secret", path: "logging/elasticsearch" },
      adminVault: { mount: "secret", path: "logging/elasticsearch-admin" },
    },
    alerts: { emails: ["secops@acme.example"] },
    defaults: { memoryMb: 1024 },
    producers: [
      // Parsed into the fields Elastic's rules read, into the data stream logs-aws.cloudtrail-default.
      { name: "cloudtrail", bucket: "acme-log-archive", prefix: "AWSLogs/", format: LogFormat.Cloudtrail },
    ],
  },
  { dependsOn: [archive] },
);

/** What `s3ls --stack <stack>` reads. */
export const logShipping = shipper.outputs;
