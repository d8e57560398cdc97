/**
 * What a consumer of a generated SDK (Python, Go, C#, or a TypeScript SDK generated from the schema)
 * sees under mocks: the component is one remote resource, `s3-log-shipper:index:LogShipper`; its
 * children live in the provider, so the mock answers for it, outputs included. This stands in for
 * the generated class (`pulumi package gen-sdk` needs a language host this machine cannot fetch).
 */
const pulumi = require("@pulumi/pulumi");

const registered = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return {
        id: `${args.name}-id`,
        state: { outputs: { region: "eu-west-1", producers: { waf: { queueUrl: "https://sqs.mock/q" } } } },
      };
    },
    call: () => ({}),
  },
  "python-style",
  "dev",
  false,
);

/** What `pulumi package gen-sdk` generates for the component: a remote component resource. */
class LogShipper extends pulumi.ComponentResource {
  constructor(name, args, opts) {
    super("s3-log-shipper:index:LogShipper", name, { ...args, outputs: undefined }, opts, true);
  }
}

const shipper = new LogShipper("logs", {
  elasticsearch: {
    endpoint: "https://es:443",
    vault: { mount: "m", path: "p" },
    adminVault: { mount: "m", path: "a" },
  },
  producers: [{ name: "waf", bucket: "b-logs", index: "logs", format: "ndjson" }],
});
setTimeout(
  () => process.stdout.write(JSON.stringify({ registered: registered.map(({ type, name }) => ({ type, name })) })),
  500,
);
void shipper;
