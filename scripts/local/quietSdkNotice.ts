/**
 * On Node 20 the AWS SDK prints, once per process, that its releases after January 2027 need
 * Node 22. The README says which Node each part needs ("Node.js versions"); the tools and the
 * function (which runs on Node 22) do not repeat it. Imported first by the scripts that use the SDK.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
