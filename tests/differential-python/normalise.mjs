// The flow normalisation of tests/differential/flows.mjs (`flowNormalise`), with the front token
// compared without regard to the order of its JSON keys. supertokens-python writes the front
// token's JSON with sorted keys (spec §4.2) where supertokens-node and Tessera keep the order
// {uid, ate, up} and the payload's own; the frontend SDK only parses it, so the order means
// nothing. The lines below are a copy of the front-token part of `flowNormalise` and of the two
// helpers it uses (not exported there), with sorted keys and an order-free payload comparison.
import { flowNormalise } from "../differential/flows.mjs";

function decodeJwt(token) {
  try {
    const [h, p, s] = String(token).split(".");
    if (s === undefined) return undefined;
    return { header: JSON.parse(Buffer.from(h, "base64url").toString("utf8")), payload: JSON.parse(Buffer.from(p, "base64url").toString("utf8")) };
  } catch {
    return undefined;
  }
}

/** The access token a request carries (its Bearer value, else its sAccessToken cookie). */
function sentAccessToken(headers) {
  const auth = headers.find(([k]) => k === "authorization")?.[1];
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim();
  for (const [k, v] of headers) {
    if (k !== "cookie") continue;
    const m = /(?:^|;\s*)sAccessToken=([^;]*)/.exec(v);
    if (m) return decodeURIComponent(m[1]);
  }
  return undefined;
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

const canonical = (v) => JSON.stringify(sortKeys(v));

/** The access token this answer issues (header, else cookie), as flowNormalise finds it. */
function newAccessToken(answer) {
  const h = answer.headers;
  if (h["st-access-token"]) return h["st-access-token"];
  for (const line of [].concat(h["set-cookie"] ?? [])) {
    const m = /^sAccessToken=([^;]*)/.exec(line);
    if (m && m[1] !== "" && m[1] !== '""') return decodeURIComponent(m[1]);
  }
  return undefined;
}

function describeFrontToken(front, answer, request) {
  if (front === undefined) return "absent";
  if (front === "remove") return front;
  try {
    const ft = JSON.parse(Buffer.from(front, "base64").toString("utf8"));
    const jwt = decodeJwt(newAccessToken(answer) ?? sentAccessToken(request.headers))?.payload;
    const parts = [`keys:${Object.keys(ft).sort().join(",")}`];
    parts.push(`uid:${typeof ft.uid}${jwt && ft.uid === jwt.sub ? "=sub" : ""}`);
    parts.push(`ate:${typeof ft.ate}${jwt && ft.ate === jwt.exp * 1000 ? "=exp*1000" : ""}`);
    parts.push(`up:${ft.up && typeof ft.up === "object" ? `{${Object.keys(ft.up).sort().map((k) => `${k}:${ft.up[k] === null ? "null" : typeof ft.up[k]}`)}}` : typeof ft.up}`);
    parts.push(jwt && canonical(ft.up) === canonical(jwt) ? "up=token payload" : "up!=token payload");
    return parts.join(" ");
  } catch {
    return "undecodable";
  }
}

/** flows.mjs `flowNormalise`, the front token described without regard to key order. */
export function flowNormaliseKeyOrderFree(answer, client, request, group) {
  return { ...flowNormalise(answer, client, request, group), "front-token": describeFrontToken(answer.headers["front-token"], answer, request) };
}
