/**
 * A consumer's program, in plain JavaScript, under Pulumi's mocks: two LogShippers (two teams'
 * clusters) in one program. Prints what was registered as JSON for the package tier to check.
 * Run from the consumer's directory, with s3-log-shipper installed from its tarball.
 */
const pulumi = require("@pulumi/pulumi");

const registered = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      const arn = `arn:aws:mock:eu-west-1:123456789012:${args.name}`;
      return {
        id: `${args.name}-id`,
        state: {
          ...args.inputs,
          arn,
          url: `https://sqs.mock/${args.name}`,
          name: args.inputs.name ?? `${args.name}-1a2b3c4`,
        },
      };
    },
    call: (args) => {
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/ci", userId: "ci" };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:index/getRegion:getRegion":
          return { region: "eu-west-1", name: "eu-west-1" };
        case "vault:kv/getSecretV2:getSecretV2":
          return { data: { api_key: "bW9jazprZXk=" } };
        default:
          throw new Error(`no mock for ${args.token}`);
      }
    },
  },
  "consumer",
  "dev",
  false,
);

const { LogShipper } = require("s3-log-shipper");

async function main() {
  const elasticsearch = {
    endpoint: "https://es.example.com:443",
    vault: { mount: "secret", path: "es" },
    adminVault: { mount: "secret", path: "es-admin" },
  };
  const teams = ["team-a", "team-b"].map(
    (team) =>
      new LogShipper(team, {
        elasticsearch,
        producers: [
          { name: "waf", bucket: `${team}-logs`, prefix: "waf/", index: "logs-waf", format: "ndjson" },
          { name: "alb", bucket: `${team}-logs`, prefix: "alb/", index: "logs-alb", format: "text" },
        ],
      }),
  );
  const outputs = await Promise.all(teams.map((shipper) => new Promise((resolve) => shipper.outputs.apply(resolve))));
  const functions = await Promise.all(
    registered
      .filter((resource) => resource.type === "aws:lambda/function:Function")
      .map(async (fn) => {
        const assets = await fn.inputs.code.assets;
        return { name: fn.name, codePath: await assets["index.js"].path, handler: fn.inputs.handler };
      }),
  );
  let refusal;
  const before = registered.length;
  try {
    new LogShipper("team-c", {
      elasticsearch,
      producers: [{ name: "alb", bucket: "team-c-logs", index: "logs-alb", format: "txt", indx: 1 }],
    });
  } catch (error) {
    refusal = { name: error.name, message: error.message, registeredMeanwhile: registered.length - before };
  }
  process.stdout.write(
    JSON.stringify({
      resources: registered.map(({ type, name }) => ({ type, name })),
      parameters: registered.filter((r) => r.type === "aws:ssm/parameter:Parameter").map((r) => r.inputs.name),
      functions,
      outputs,
      refusal,
    }),
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
