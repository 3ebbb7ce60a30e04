// Child processes of the release check: commands that must succeed (output kept for
// the failure message) and long-lived servers, all killed when the check exits.
import { spawn } from "node:child_process";

const running = new Set();

/** Runs a command to completion; rejects with its output when it exits non-zero or runs past `timeoutMs`. */
export function run(command, args, { cwd, env, timeoutMs = 300_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    running.add(child);
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.stdin.end(input ?? "");
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs / 1000} s)`;
      kill(child);
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code === 0) resolve(output);
      else {
        const error = new Error(
          `${command} ${args.join(" ")} exited ${code ?? signal} in ${cwd ?? process.cwd()}\n${tail(output)}`,
        );
        error.exitCode = code;
        error.output = output;
        reject(error);
      }
    });
  });
}

/**
 * Starts a server and resolves with the first match of `ready` in its output (a port,
 * usually); rejects when it exits first or does not get ready within `timeoutMs`.
 */
export function startServer(command, args, { cwd, env, ready, timeoutMs = 60_000 }) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  let output = "";
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${command} ${args.join(" ")} not ready after ${timeoutMs / 1000} s\n${tail(output)}`)),
      timeoutMs,
    );
    const onData = (chunk) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      running.delete(child);
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(" ")} exited ${code ?? signal} before it was ready\n${tail(output)}`));
    });
  });
  // Awaited by the caller; a rejection after the caller stopped waiting is not a crash.
  started.catch(() => undefined);
  return {
    started,
    output: () => output,
    stop: () => kill(child),
  };
}

/** Kills every process this check started (their process groups: npm and next start children). */
export function killAll() {
  for (const child of running) kill(child);
}

function kill(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

function tail(text, lines = 40) {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
