#!/usr/bin/env node
import { run } from "./run.js";

// `hooksec ... | head` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  });
}

// No top-level await: a promise chain keeps this file loadable everywhere.
void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
