#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (a dependency), so `npx s3ls` needs no build step.
require("tsx/cjs");
require("../s3ls.ts");
