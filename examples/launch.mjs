// Starts the example backends and the demo page: `make demo` runs this file, and the browser
// and cross-language tests import it to run the very same apps.
//
//   node examples/launch.mjs     backends on 3001 (Python), 3002 (Node), 3003 (Go), the page on 3000;
//                                Ctrl-C stops everything.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";

const examples = import.meta.dirname;
const root = join(examples, "..");
const venv = process.env.TESSERA_VENV ?? join(root, ".venv");

/** The example backends: every one serves the same routes (see examples/README.md). */
export const backends = [
  { id: "python", name: "Python (FastAPI)", port: 3001, command: [join(venv, "bin", "python"), join(examples, "python-fastapi", "app.py")] },
  { id: "node", name: "Node (Express)", port: 3002, command: [process.execPath, join(examples, "node-express", "server.mjs")] },
  // Built by scripts/examples-build.sh (`go build` in examples/go-nethttp).
  { id: "go", name: "Go (net/http)", port: 3003, command: [join(root, "target", "examples", "go-nethttp")] },
];

/** A free TCP port on localhost. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "localhost", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs `command` with `env` added and resolves once `url` answers HTTP. `stop()` ends the
 * process; its output is kept for error messages and printed when `inherit` is set.
 */
export async function startProcess(name, command, url, { env = {}, cwd = examples, inherit = false } = {}) {
  const child = spawn(command[0], command.slice(1), {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", inherit ? "inherit" : "pipe", inherit ? "inherit" : "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before answering:\n${output}`);
    try {
      await fetch(url);
      return { name, url, stop, output: () => output };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${name} did not answer on ${url} within 30 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Starts one example backend on `port`; `env` is its configuration (examples/README.md). */
export function startBackend(backend, port, env = {}, options = {}) {
  const url = `http://localhost:${port}`;
  return startProcess(backend.name, backend.command, url, { ...options, env: { ...env, PORT: String(port) } });
}

/** Serves the demo page (examples/web, built) on `port`, offering `running` backends. */
export function startWeb(port, running, options = {}) {
  const BACKENDS = running.map((b) => `${b.name}=${b.url}`).join(",");
  const command = [process.execPath, join(examples, "web", "serve.mjs")];
  return startProcess("web", command, `http://localhost:${port}/`, { ...options, env: { PORT: String(port), BACKENDS } });
}

async function demo() {
  if (!existsSync(join(examples, "web", "dist", "app.js"))) throw new Error("examples/web is not built: run make demo");
  const webPort = 3000;
  const websiteDomain = `http://localhost:${webPort}`;
  const running = [];
  const stopAll = () => Promise.all(running.map((p) => p.stop()));
  process.on("SIGINT", async () => {
    console.log("\nstopping…");
    await stopAll();
    process.exit(0);
  });
  try {
    for (const b of backends) {
      running.push(await startBackend(b, b.port, { WEBSITE_DOMAIN: websiteDomain }, { inherit: true }));
    }
    running.push(await startWeb(webPort, running, { inherit: true }));
  } catch (e) {
    await stopAll();
    throw e;
  }
  console.log("\nTessera demo: the SuperTokens frontend SDK against Tessera backends sharing one session store.");
  for (const b of running.slice(0, -1)) console.log(`  ${b.name.padEnd(18)} ${b.url}`);
  console.log(`\n  Open ${websiteDomain}/ and sign in. Ctrl-C stops everything.\n`);
}

if (process.argv[1] === import.meta.filename) {
  demo().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
