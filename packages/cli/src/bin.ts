#!/usr/bin/env node
import { run } from "./run.js";

// No top-level await: a promise chain keeps this file loadable everywhere.
void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
