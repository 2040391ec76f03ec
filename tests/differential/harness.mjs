// The machinery of the differential test: the stub of the SuperTokens core for supertokens-node
// (stub-core.mjs), the routes both apps serve (frameworks.mjs serves them on each framework), a
// raw HTTP client, and the normalisation that turns an answer into what the comparison looks at.
import http from "node:http";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { atEpoch } from "./flows.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..", "..");
// supertokens-node and the frameworks from this directory's package.json; the package under test
// through its own name, resolved from inside bindings-node (its `exports` map).
export const requireDep = createRequire(join(HERE, "package.json"));
export const requireTessera = createRequire(join(ROOT, "bindings-node", "package.json"));

// --- the stub core ---------------------------------------------------------------------------

export { startStubCore } from "./stub-core.mjs";

// --- the routes both apps serve ----------------------------------------------------------------

/** The session as the routes of ROUTES answer it: the same token gives the same body in both. */
function sessionAnswer(s) {
  if (s === undefined || s === null) return { session: null };
  return { session: { userId: s.getUserId(), handle: s.getHandle(), tenantId: s.getTenantId(), payload: s.getAccessTokenPayload() } };
}

/**
 * The routes both apps serve, framework-neutral (frameworks.mjs turns them into each framework's
 * routes): `method` ("ALL", or one method), `path`, `verify` (the options of the library's
 * verifySession put before the route, or none), and `answer({session, query, lib, req, res})`,
 * the JSON body (or a Promise of it); `req` and `res` are what the library's Session functions
 * take on that framework. These answer what the session they got says; "ALL": the corpus varies
 * the method (GET, POST, HEAD, OPTIONS...). The flows add theirs (flows.mjs `FLOW_ROUTES`).
 */
export const ROUTES = [
  ["/sess", {}],
  ["/optional", { sessionRequired: false }],
  ["/csrf", { antiCsrfCheck: true }],
  ["/nocsrf", { antiCsrfCheck: false }],
  ["/db", { checkDatabase: true }],
].map(([path, verify]) => ({ method: "ALL", path, verify, answer: ({ session }) => sessionAnswer(session) }));

// --- the client ------------------------------------------------------------------------------

/** Sends one request. `headers` is a list of [name, value] pairs; a name given twice is sent
 * twice (Node's client joins `cookie` lines with "; ", as the server would). Values are sent as
 * latin1, so "\xff" is the byte 0xff. */
export function send(port, { method, path, headers = [] }) {
  const grouped = {};
  for (const [name, value] of headers) {
    const k = name.toLowerCase();
    grouped[k] = k in grouped ? [].concat(grouped[k], value) : value;
  }
  return new Promise((resolvePromise, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers: grouped, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolvePromise({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

// --- normalisation ---------------------------------------------------------------------------

/** How a token-carrying header was answered: not at all, removed ("remove" for front-token,
 * an empty value for the others), or set to a (random) value. */
function headerState(value) {
  if (value === undefined) return "absent";
  if (value === "remove") return "remove";
  if (value === "") return "empty";
  return "set";
}

/** One Set-Cookie as the attributes that matter, the value reduced to set/cleared (token values
 * are random) and the expiry to its meaning. */
export function cookieSummary(setCookie) {
  const [pair, ...attrs] = setCookie.split(";").map((s) => s.trim());
  const eq = pair.indexOf("=");
  const name = eq < 0 ? pair : pair.slice(0, eq);
  const value = eq < 0 ? "" : pair.slice(eq + 1);
  const a = {};
  for (const attr of attrs) {
    const i = attr.indexOf("=");
    const k = (i < 0 ? attr : attr.slice(0, i)).toLowerCase();
    a[k] = i < 0 ? true : attr.slice(i + 1);
  }
  let expiry = "session";
  if (a["max-age"] !== undefined) expiry = Number(a["max-age"]) <= 0 ? "past" : "future";
  else if (a.expires !== undefined) {
    const t = Date.parse(a.expires);
    expiry = atEpoch(t) ? "epoch" : t < Date.now() ? "past" : "future";
  }
  const cleared = value === "" || expiry === "epoch" || expiry === "past";
  return [
    name,
    cleared ? "cleared" : "set",
    `Path=${a.path ?? "-"}`,
    `Domain=${a.domain ?? "-"}`,
    `SameSite=${String(a.samesite ?? "-").toLowerCase()}`,
    a.secure ? "Secure" : "-",
    a.httponly ? "HttpOnly" : "-",
    `expires:${expiry}`,
  ].join(" ");
}

function canonicalBody(text) {
  if (text === "") return "";
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return `(text) ${text.slice(0, 300)}`;
  }
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/** What the comparison looks at, field by field (each a string, so that a difference prints). */
export function normalise(answer) {
  const h = answer.headers;
  const cookies = [].concat(h["set-cookie"] ?? []).map(cookieSummary).sort();
  const expose = String(h["access-control-expose-headers"] ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return {
    status: String(answer.status),
    body: canonicalBody(answer.body),
    "set-cookie": cookies.length ? cookies.join(" | ") : "(none)",
    "front-token": headerState(h["front-token"]),
    "st-access-token": headerState(h["st-access-token"]),
    "st-refresh-token": headerState(h["st-refresh-token"]),
    "anti-csrf": headerState(h["anti-csrf"]),
    "access-control-expose-headers": [...new Set(expose)].sort().join(", ") || "(none)",
  };
}

/** The fields whose normalised values differ: [{field, reference, tessera}]. */
export function compare(reference, tessera) {
  const a = normalise(reference);
  const b = normalise(tessera);
  return Object.keys(a)
    .filter((k) => a[k] !== b[k])
    .map((field) => ({ field, reference: a[field], tessera: b[field] }));
}
