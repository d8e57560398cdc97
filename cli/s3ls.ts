/** The `s3ls` executable (cli/bin/s3ls.cjs runs it through tsx). */
// On Node 20 the AWS SDK prints a notice about its future Node 22 requirement once per process;
// the README says which Node each part needs, so an operator command does not repeat it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
import { runCli } from "./main";

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
