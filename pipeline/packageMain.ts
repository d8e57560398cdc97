/**
 * The package's main module. To a program (`import … from "s3-log-shipper"`, `require`) it is the
 * library (`index.ts`). Pulumi's plugin runner, `@pulumi/pulumi/cmd/run-plugin` — what the Node.js
 * language host starts for `pulumi package add` and for a Python, Go, C# or YAML program using the
 * package — requires the package's directory and calls what it exports when that is a function (it
 * would start its own experimental component provider if it found component classes instead, which
 * infers the schema from TypeScript sources at every start and serves no custom resource). So, loaded
 * by the runner itself, the export is the function that starts this package's provider.
 */
import * as library from "./index";

/** Whether the module requiring this one is the plugin runner (its `run.js`), not a program importing the library. */
function loadedByPluginRunner(): boolean {
  const runner = /[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]run-plugin[\\/]run\.js$/;
  return Object.values(require.cache).some(
    (loaded) => loaded !== undefined && runner.test(loaded.filename) && loaded.children.includes(module),
  );
}

/** Starts the component provider; the runner awaits it. */
async function servePlugin(): Promise<void> {
  const { serve } = await import("./provider/serve.js");
  await serve();
}

export = loadedByPluginRunner() ? servePlugin : library;
