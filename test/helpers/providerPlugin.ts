/**
 * The package's component provider as a plugin, started the way the Node.js language host starts
 * it (`@pulumi/pulumi/cmd/run-plugin` on the package's directory), from an installed package.
 */
import * as grpc from "@grpc/grpc-js";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

// The generated gRPC stubs @pulumi/pulumi ships (CommonJS, no declarations for the _grpc_pb modules).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const providerRpc = require("@pulumi/pulumi/proto/provider_grpc_pb") as {
  ResourceProviderClient: new (
    address: string,
    credentials: grpc.ChannelCredentials,
  ) => {
    getSchema(request: unknown, callback: (error: Error | null, response: { getSchema(): string }) => void): void;
    close(): void;
  };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const providerMessages = require("@pulumi/pulumi/proto/provider_pb") as {
  GetSchemaRequest: new () => unknown;
};

/**
 * Writes `pulumi-resource-s3-log-shipper` into `pluginDir`: what the engine runs for the package,
 * started as the Node.js language host starts a plugin of runtime nodejs. Returns its path.
 */
export function writeProviderPlugin(consumerDir: string, pluginDir: string): string {
  const packageDir = path.join(consumerDir, "node_modules", "s3-log-shipper");
  const runPlugin = path.join(consumerDir, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin", "index.js");
  mkdirSync(pluginDir, { recursive: true });
  const executable = path.join(pluginDir, "pulumi-resource-s3-log-shipper");
  writeFileSync(
    executable,
    `#!/bin/sh\n# The component provider as the Node.js language host starts it.\nexec "${process.execPath}" "${runPlugin}" "${packageDir}" "$@"\n`,
  );
  chmodSync(executable, 0o755);
  return executable;
}

/** Starts the plugin, asks it for its schema over its gRPC interface (GetSchema), and stops it. */
export async function servedSchema(executable: string): Promise<string> {
  // From its own directory, as the engine starts it: run-plugin compiles TypeScript when it finds a tsconfig.json in its working directory.
  const plugin = spawn(executable, [], { cwd: path.dirname(executable), stdio: ["ignore", "pipe", "inherit"] });
  try {
    // A plugin's first line on stdout is the port it listens on.
    let output = "";
    plugin.stdout.setEncoding("utf8");
    while (!output.includes("\n")) {
      const [chunk] = (await Promise.race([
        once(plugin.stdout, "data"),
        once(plugin, "exit").then(([code]) => {
          throw new Error(`the provider plugin exited with ${String(code)} before it listened`);
        }),
      ])) as [string];
      output += chunk;
    }
    const port = Number(output.split("\n")[0]);
    const client = new providerRpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      return await new Promise<string>((resolve, reject) =>
        client.getSchema(new providerMessages.GetSchemaRequest(), (error, response) =>
          error ? reject(error) : resolve(response.getSchema()),
        ),
      );
    } finally {
      client.close();
    }
  } finally {
    plugin.kill();
  }
}
