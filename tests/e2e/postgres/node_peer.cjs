// The Node app server of the cross-language PostgreSQL test: Tessera initialised from its
// usual config with the connectionURI it is given, driven by one JSON command per stdin line
// and answering one JSON line each, so that the Python test can interleave the two servers.
"use strict";
const path = require("node:path");
const readline = require("node:readline");

const bindings = path.resolve(__dirname, "../../../bindings-node");
// Absolute paths: this file is outside the package, and the facade and its state module must
// be the very instances the package itself loads.
const Tessera = require(path.join(bindings, "dist/index.js")).default;
const Session = require(path.join(bindings, "dist/recipe/session/index.js"));
const { engine } = require(path.join(bindings, "dist/state.js"));

const [connectionURI, sessionOptionsJson] = process.argv.slice(2);
Tessera.init({
  supertokens: { connectionURI },
  appInfo: { appName: "e2e", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" },
  recipeList: [Session.init(JSON.parse(sessionOptionsJson || "{}"))],
});

function tokens(session) {
  const t = session.getAllSessionTokensDangerously();
  return { accessToken: t.accessToken, refreshToken: t.refreshToken ?? null, handle: session.getHandle() };
}

async function sleepUntil(ms) {
  const wait = ms - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

const ops = {
  async create({ user }) {
    return tokens(await Session.createNewSessionWithoutRequestResponse("public", user, {}, {}, true));
  },
  async refresh({ refreshToken, atMs }) {
    if (atMs) await sleepUntil(atMs);
    return tokens(await Session.refreshSessionWithoutRequestResponse(refreshToken, true));
  },
  async verify({ accessToken }) {
    const s = await Session.getSessionWithoutRequestResponse(accessToken);
    return { handle: s.getHandle(), userId: s.getUserId() };
  },
  async jwks() {
    return JSON.parse(await engine().jwksJson());
  },
};

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  const cmd = JSON.parse(line);
  let answer;
  try {
    answer = { ok: true, value: await ops[cmd.op](cmd) };
  } catch (err) {
    answer = { ok: false, type: err.type ?? "JS_ERROR", message: String(err.message ?? err) };
  }
  process.stdout.write(JSON.stringify({ id: cmd.id, ...answer }) + "\n");
});
process.stdout.write(JSON.stringify({ ready: true }) + "\n");
