// An in-memory stand-in for the SuperTokens core, for supertokens-node: the CDI calls of the
// session recipe (protocol spec §8.5), answered as the spec says the core answers them. Written
// from the spec and from what supertokens-node sends and parses; nothing here is the core's code.
//
// What it models:
// - its own signing keys (RSA-2048: a dynamic `d-<ms>` key and a static `s-<uuid>` key),
//   published at /.well-known/jwks.json; a test may publish other keys instead (`setJwks`: the
//   groups where Tessera mints the tokens), and verify then checks against those;
// - sessions: create, refresh, verify, regenerate, remove, session information, session data,
//   the stored access-token payload, handles per user;
// - access tokens as the core mints them for CDI >= 4.0: v5 JWTs, RS256, claims sub, exp, iat
//   (seconds), sessionHandle, refreshTokenHash1 (hex SHA-256 of the refresh token),
//   parentRefreshTokenHash1, antiCsrfToken (a UUID or null), tId, rsub, and the user's payload
//   at the root; `accessToken.expiry`/`createdTime` in ms, whole seconds;
// - refresh tokens: opaque, `<base64 of AES-GCM(JSON)>.<nonce>.V2` like the core's, carrying
//   the handle and the anti-CSRF token; the session keeps hex SHA-256(SHA-256(token));
// - rotation as CDI 5.6 does it, which is what Tessera's embedded authority implements (DESIGN.md,
//   "Session authority"): a refresh rotates at once (the new access token has no parent hash, so
//   supertokens-node never needs verify to promote it); the previous refresh token is accepted
//   again within `graceMs` of the rotation; any other reuse revokes the session and answers
//   TOKEN_THEFT_DETECTED. (A CDI <= 5.4 core rotates lazily; see the README paragraph.)
//
// Sessions the stub did not create (tokens Tessera minted, in the groups that publish Tessera's
// keys) are taken to exist unless removed through the stub: those groups only send checkDatabase
// requests with sessions Tessera's store holds.
import crypto from "node:crypto";
import http from "node:http";
import { V1_HEADER, V2_HEADER } from "./tokens.mjs";

const b64urlJson = (seg) => JSON.parse(Buffer.from(seg, "base64url").toString("utf8"));
const sha256hex = (s) => crypto.createHash("sha256").update(s).digest("hex");
const hash2 = (token) => sha256hex(sha256hex(token));
const PROTECTED = ["sub", "iat", "exp", "sessionHandle", "parentRefreshTokenHash1", "refreshTokenHash1", "antiCsrfToken", "rsub", "tId"];

function makeSigningKey(kid) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const { n, e } = publicKey.export({ format: "jwk" });
  return { kid, privateKey, jwk: { kty: "RSA", kid, n, e, alg: "RS256", use: "sig" } };
}

/** The defaults of the core (and of Tessera's embedded authority). */
export const CORE_DEFAULTS = { accessTokenValidityMs: 3_600_000, refreshTokenValidityMs: 144_000 * 60_000, graceMs: 30_000 };

export async function startStubCore() {
  const keys = { dynamic: makeSigningKey(`d-${Date.now() - 120_000}`), static: makeSigningKey(`s-${crypto.randomUUID()}`) };
  const ownJwks = { keys: [keys.dynamic.jwk, keys.static.jwk] };
  const secret = crypto.randomBytes(32);
  const state = {
    jwks: ownJwks,
    config: { ...CORE_DEFAULTS },
    sessions: new Map(),
    // handles of sessions the stub did not create but was asked to remove
    revoked: new Set(),
    hits: {},
    unexpected: [],
  };

  // --- tokens ---------------------------------------------------------------------------------

  function mintAccessToken(s, { refreshTokenHash1, antiCsrfToken, useDynamicKey, expiryMs }) {
    const now = Date.now();
    const iat = Math.floor(now / 1000);
    const exp = Math.floor((expiryMs ?? now + state.config.accessTokenValidityMs) / 1000);
    const payload = {
      ...s.userDataInJWT,
      sub: s.userId,
      exp,
      iat,
      sessionHandle: s.handle,
      refreshTokenHash1,
      parentRefreshTokenHash1: null,
      antiCsrfToken: antiCsrfToken ?? null,
      tId: s.tenantId,
      rsub: s.recipeUserId,
    };
    const key = useDynamicKey ? keys.dynamic : keys.static;
    const seg = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const input = `${seg({ alg: "RS256", typ: "JWT", version: "5", kid: key.kid })}.${seg(payload)}`;
    const token = `${input}.${crypto.sign("sha256", Buffer.from(input), key.privateKey).toString("base64url")}`;
    return { token, expiry: exp * 1000, createdTime: iat * 1000 };
  }

  function mintRefreshToken(handle, antiCsrfToken) {
    const nonce = crypto.randomUUID();
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", secret, iv);
    const plain = JSON.stringify({ sessionHandle: handle, antiCsrfToken: antiCsrfToken ?? null, nonce });
    const sealed = Buffer.concat([iv, cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `${sealed.toString("base64")}.${sha256hex(nonce)}.V2`;
  }

  function openRefreshToken(token) {
    try {
      const [sealed, nonceHash, type, ...rest] = String(token).split(".");
      if (type !== "V2" || rest.length) return undefined;
      const raw = Buffer.from(sealed, "base64");
      const decipher = crypto.createDecipheriv("aes-256-gcm", secret, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const info = JSON.parse(Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8"));
      return sha256hex(info.nonce) === nonceHash ? info : undefined;
    } catch {
      return undefined;
    }
  }

  /** The access token's payload if the token is signed by a published key and well formed. */
  function checkSignature(token) {
    const parts = String(token ?? "").split(".");
    if (parts.length !== 3) return { error: "Invalid JWT" };
    const [h, p, sig] = parts;
    const legacy = h === V2_HEADER || h === V1_HEADER;
    let payload;
    try {
      payload = b64urlJson(p);
    } catch {
      return { error: "Invalid JWT" };
    }
    let candidates = state.jwks.keys;
    if (!legacy) {
      let header;
      try {
        header = b64urlJson(h);
      } catch {
        return { error: "Invalid JWT" };
      }
      if (header.alg !== "RS256") return { error: "JWT header mismatch - alg" };
      candidates = candidates.filter((k) => k.kid === header.kid);
    }
    const input = Buffer.from(`${h}.${p}`);
    const signature = Buffer.from(sig, legacy ? "base64" : "base64url");
    const ok = candidates.some((k) => crypto.verify("sha256", input, crypto.createPublicKey({ key: k, format: "jwk" }), signature));
    return ok ? { payload, legacy } : { error: "Invalid JWT signature" };
  }

  const live = (handle) => {
    const s = state.sessions.get(handle);
    if (s !== undefined && s.expiresAt <= Date.now()) state.sessions.delete(handle);
    return state.sessions.get(handle);
  };
  const identity = (s) => ({ handle: s.handle, userId: s.userId, recipeUserId: s.recipeUserId, userDataInJWT: s.userDataInJWT, tenantId: s.tenantId });
  const unauthorised = (message) => ({ status: "UNAUTHORISED", message });

  // --- the CDI calls --------------------------------------------------------------------------

  function create(tenantId, body) {
    const userDataInJWT = { ...(body.userDataInJWT ?? {}) };
    const clash = PROTECTED.filter((k) => k in userDataInJWT);
    if (clash.length) return [400, `The user payload contains protected field: ${clash[0]}`];
    const uuid = crypto.randomUUID();
    const handle = tenantId === "public" ? uuid : `${uuid}_${tenantId}`;
    const now = Date.now();
    const antiCsrfToken = body.enableAntiCsrf ? crypto.randomUUID() : undefined;
    const refreshToken = mintRefreshToken(handle, antiCsrfToken);
    const s = {
      handle,
      userId: String(body.userId),
      recipeUserId: String(body.userId),
      tenantId,
      userDataInJWT,
      userDataInDatabase: body.userDataInDatabase ?? {},
      refreshTokenHash2: hash2(refreshToken),
      prevRefreshTokenHash2: null,
      rotatedAt: null,
      timeCreated: now,
      expiresAt: now + state.config.refreshTokenValidityMs,
    };
    state.sessions.set(handle, s);
    return [200, issue(s, refreshToken, antiCsrfToken, body.useDynamicSigningKey !== false)];
  }

  function issue(s, refreshToken, antiCsrfToken, useDynamicKey) {
    const accessToken = mintAccessToken(s, { refreshTokenHash1: sha256hex(refreshToken), antiCsrfToken, useDynamicKey });
    return {
      status: "OK",
      session: identity(s),
      accessToken,
      refreshToken: { token: refreshToken, expiry: s.expiresAt, createdTime: accessToken.createdTime },
      ...(antiCsrfToken === undefined ? {} : { antiCsrfToken }),
    };
  }

  function refresh(body) {
    const info = openRefreshToken(body.refreshToken);
    if (info === undefined) return unauthorised("Token info not found");
    if (body.enableAntiCsrf && info.antiCsrfToken !== null && info.antiCsrfToken !== body.antiCsrfToken) {
      return unauthorised("Anti CSRF token missing, or not matching");
    }
    const s = live(info.sessionHandle);
    if (s === undefined) return unauthorised("Session missing in db or has expired");
    const presented = hash2(body.refreshToken);
    const now = Date.now();
    const current = s.refreshTokenHash2 === presented;
    const withinGrace = s.prevRefreshTokenHash2 === presented && now - s.rotatedAt < state.config.graceMs;
    if (!current && !withinGrace) {
      state.sessions.delete(s.handle);
      return { status: "TOKEN_THEFT_DETECTED", session: { handle: s.handle, userId: s.userId, recipeUserId: s.recipeUserId } };
    }
    if (current) {
      s.prevRefreshTokenHash2 = presented;
      s.rotatedAt = now;
    }
    const antiCsrfToken = body.enableAntiCsrf ? crypto.randomUUID() : undefined;
    const next = mintRefreshToken(s.handle, antiCsrfToken);
    s.refreshTokenHash2 = hash2(next);
    s.expiresAt = now + state.config.refreshTokenValidityMs;
    return issue(s, next, antiCsrfToken, body.useDynamicSigningKey !== false);
  }

  function verify(body) {
    const tryRefresh = (message) => ({ status: "TRY_REFRESH_TOKEN", message });
    const checked = checkSignature(body.accessToken);
    if (checked.error) return tryRefresh(checked.error);
    const { payload, legacy } = checked;
    const expiryMs = legacy ? payload.expiryTime : payload.exp * 1000;
    if (!(expiryMs > Date.now())) return tryRefresh("Access token expired");
    if (body.doAntiCsrfCheck && body.enableAntiCsrf && payload.antiCsrfToken !== body.antiCsrfToken) {
      return tryRefresh("anti-csrf check failed");
    }
    const gone = unauthorised("Either the session has ended or has been blacklisted");
    if (state.revoked.has(payload.sessionHandle)) return gone;
    const s = state.sessions.get(payload.sessionHandle);
    const custom = legacy ? payload.userData : Object.fromEntries(Object.entries(payload).filter(([k]) => !PROTECTED.includes(k)));
    if (s === undefined) {
      // A session made elsewhere (by Tessera), unless this stub created it and it has ended.
      const userId = legacy ? payload.userId : payload.sub;
      const tenantId = legacy ? "public" : (payload.tId ?? "public");
      const ownKid = !legacy && [keys.dynamic.kid, keys.static.kid].includes(b64urlJson(body.accessToken.split(".")[0]).kid);
      if (ownKid && body.checkDatabase) return gone;
      return { status: "OK", session: { handle: payload.sessionHandle, userId, recipeUserId: legacy ? userId : (payload.rsub ?? userId), userDataInJWT: custom, tenantId, expiryTime: expiryMs } };
    }
    if (body.checkDatabase) {
      if (live(s.handle) === undefined) return gone;
      const h2 = sha256hex(String(payload.refreshTokenHash1));
      if (h2 !== s.refreshTokenHash2 && h2 !== s.prevRefreshTokenHash2) return unauthorised("Rotated-out token branch; refresh required");
    }
    const out = { status: "OK", session: { ...identity(s), expiryTime: expiryMs } };
    if (body.checkDatabase && JSON.stringify(sortKeys(custom)) !== JSON.stringify(sortKeys(s.userDataInJWT))) {
      const kid = b64urlJson(body.accessToken.split(".")[0]).kid;
      out.accessToken = mintAccessToken(s, { refreshTokenHash1: payload.refreshTokenHash1, antiCsrfToken: payload.antiCsrfToken, useDynamicKey: kid.startsWith("d-") });
    }
    return out;
  }

  /** The core does not check the signature here (spec §10.9): the SDK has. */
  function regenerate(body) {
    let payload;
    let header;
    try {
      const [h, p] = String(body.accessToken).split(".");
      header = b64urlJson(h);
      payload = b64urlJson(p);
    } catch {
      return unauthorised("Invalid access token");
    }
    const s = live(payload.sessionHandle);
    if (s === undefined) return unauthorised("Session does not exist.");
    s.userDataInJWT = { ...(body.userDataInJWT ?? {}) };
    const out = { status: "OK", session: identity(s) };
    if (payload.exp * 1000 > Date.now()) {
      out.accessToken = mintAccessToken(s, {
        refreshTokenHash1: payload.refreshTokenHash1,
        antiCsrfToken: payload.antiCsrfToken,
        useDynamicKey: String(header.kid).startsWith("d-"),
        expiryMs: payload.exp * 1000,
      });
    }
    return out;
  }

  function remove(tenantId, body) {
    let handles;
    if (Array.isArray(body.sessionHandles)) handles = body.sessionHandles.map(String);
    else handles = [...state.sessions.values()].filter((s) => s.userId === body.userId && (body.revokeAcrossAllTenants || tenantId === undefined || s.tenantId === tenantId)).map((s) => s.handle);
    const revoked = [];
    for (const h of handles) {
      if (state.sessions.delete(h)) revoked.push(h);
      else if (!state.revoked.has(h)) {
        state.revoked.add(h);
        revoked.push(h);
      }
    }
    return { status: "OK", sessionHandlesRevoked: revoked };
  }

  function information(handle) {
    const s = live(handle);
    if (s === undefined) return unauthorised("Session does not exist.");
    const { userId, recipeUserId, userDataInDatabase, userDataInJWT, tenantId } = s;
    return { status: "OK", sessionHandle: handle, userId, recipeUserId, userDataInDatabase, userDataInJWT, expiry: s.expiresAt, timeCreated: s.timeCreated, tenantId };
  }

  function update(handle, change) {
    const s = live(handle);
    if (s === undefined) return unauthorised("Session does not exist.");
    change(s);
    return { status: "OK" };
  }

  // --- HTTP -------------------------------------------------------------------------------------

  function route(method, path, query, body) {
    const tenant = /^\/([^/]+)\/recipe\//.exec(path)?.[1];
    const p = tenant === undefined ? path : path.slice(tenant.length + 1);
    const key = `${method} ${p}`;
    if (key === "GET /apiversion") return [200, { versions: ["5.3", "5.4"] }];
    if (key === "GET /.well-known/jwks.json") return [200, state.jwks];
    if (key === "GET /recipe/jwt/jwks") return [200, { status: "OK", ...state.jwks }];
    if (key === "GET /user/id") return [200, { status: "UNKNOWN_USER_ID_ERROR" }];
    if (key === "POST /recipe/session") return create(tenant ?? "public", body);
    if (key === "POST /recipe/session/refresh") return [200, refresh(body)];
    if (key === "POST /recipe/session/verify") return [200, verify(body)];
    if (key === "POST /recipe/session/regenerate") return [200, regenerate(body)];
    if (key === "POST /recipe/session/remove") return [200, remove(tenant, body)];
    if (key === "GET /recipe/session") return [200, information(query.get("sessionHandle"))];
    if (key === "GET /recipe/session/user") {
      const handles = [...state.sessions.values()].filter((s) => s.userId === query.get("userId") && (tenant === undefined || s.tenantId === tenant) && live(s.handle)).map((s) => s.handle);
      return [200, { status: "OK", sessionHandles: handles }];
    }
    if (key === "PUT /recipe/session/data") return [200, update(body.sessionHandle, (s) => (s.userDataInDatabase = body.userDataInDatabase ?? {}))];
    if (key === "PUT /recipe/jwt/data") return [200, update(body.sessionHandle, (s) => (s.userDataInJWT = body.userDataInJWT ?? {}))];
    return undefined;
  }

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const url = new URL(req.url, "http://stub");
      state.hits[url.pathname] = (state.hits[url.pathname] ?? 0) + 1;
      let body = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        /* answered below as an unexpected call */
      }
      const answer = route(req.method, url.pathname, url.searchParams, body);
      if (answer === undefined) state.unexpected.push(`${req.method} ${req.url} ${raw.slice(0, 200)}`);
      const [status, value] = answer ?? [404, { message: "not modelled by the differential test's stub core" }];
      const headers = { "content-type": typeof value === "string" ? "text/plain" : "application/json; charset=utf-8" };
      if (url.pathname === "/.well-known/jwks.json") headers["cache-control"] = "max-age=60, must-revalidate";
      res.writeHead(status, headers);
      res.end(typeof value === "string" ? value : JSON.stringify(value));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    state,
    ownJwks,
    /** Publishes `jwks` (e.g. Tessera's keys) instead of the stub's own. */
    setJwks(jwks) {
      state.jwks = jwks;
    },
    /** Lifetimes and the grace window, in ms (the rest keep the core's defaults). */
    configure(config) {
      state.config = { ...CORE_DEFAULTS, ...config };
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}
