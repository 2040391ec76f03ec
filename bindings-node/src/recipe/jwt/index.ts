/**
 * The JWT recipe (supertokens-node's `supertokens-node/recipe/jwt`): `createJWT` signs with the
 * session authority's keys, `getJWKS` lists the keys that verify what it signs (the document
 * served at `{apiBasePath}/jwt/jwks.json`). As in supertokens-node, whose session recipe adds
 * this recipe itself, every app has these functions; `init` is needed only for its option.
 *
 * ```ts
 * import JWT from "tessera-session/recipe/jwt";
 * Tessera.init({ appInfo, recipeList: [Session.init(), JWT.init({ jwtValiditySeconds: 3600 })] });
 * const { jwt } = await JWT.createJWT({ role: "service" });
 * ```
 */
import { TesseraError, callAsync } from "../../error";
import { engine, state } from "../../state";
import { toJson } from "../session/sessionContainer";
import { refuseOverride } from "./override";

/** One public key of the JWKS. */
export interface JsonWebKey {
  kty: string;
  kid: string;
  n: string;
  e: string;
  alg: string;
  use: string;
}

/** The options of `JWT.init`, in supertokens-node's names. */
export interface TypeInput {
  /** `createJWT`'s validity, in seconds, when a call gives none (default: 100 years). */
  jwtValiditySeconds?: number;
  /** Not supported: Tessera's JWT functions and endpoint cannot be replaced. An override with
   * neither `functions` nor `apis` is accepted, as it changes nothing. */
  override?: { functions?: unknown; apis?: unknown };
}

/** What `JWT.init(...)` returns, for `Tessera.init({recipeList: [...]})`. */
export interface JWTRecipeInit {
  readonly tesseraRecipe: "jwt";
  /** `createJWT`'s default validity in seconds; absent for the core's 100 years. */
  readonly jwtValiditySeconds?: number;
}

/** `createJWT`'s answer. Tessera signs RS256 only, the one algorithm supertokens-node asks for,
 * so the `UNSUPPORTED_ALGORITHM_ERROR` status is never returned; it is in the type so that code
 * written against supertokens-node, which checks for it, compiles unchanged. */
export type CreateJWTResult = { status: "OK"; jwt: string } | { status: "UNSUPPORTED_ALGORITHM_ERROR" };

/** `getJWKS`'s answer: the public keys, and for how long (seconds) they may be cached. */
export interface GetJWKSResult {
  keys: JsonWebKey[];
  validityInSeconds?: number;
}

function isValidity(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * The JWT recipe's options: `jwtValiditySeconds`, `createJWT`'s default validity.
 *
 * @throws TesseraError `INVALID_CONFIG` when `jwtValiditySeconds` is not a non-negative integer;
 * `NOT_SUPPORTED` for `override.functions` or `override.apis`.
 */
export function init(config?: TypeInput): JWTRecipeInit {
  const given = config ?? {};
  refuseOverride("JWT", given.override);
  const validity = given.jwtValiditySeconds;
  if (validity === undefined) return { tesseraRecipe: "jwt" };
  if (!isValidity(validity)) {
    throw new TesseraError({
      type: "INVALID_CONFIG",
      message: `jwtValiditySeconds must be a non-negative integer, got ${String(validity)}`,
    });
  }
  return { tesseraRecipe: "jwt", jwtValiditySeconds: validity };
}

/**
 * A JWT of `payload` signed by the session authority's static key, or its current dynamic key
 * when `useStaticSigningKey` is false (a token then verifies as an access token if its payload
 * is one), valid for `validitySeconds` (default: `JWT.init`'s `jwtValiditySeconds`, else 100
 * years). `iss` is the issuer (`apiDomain` + `apiBasePath`) unless `payload` has one; `iat`
 * and `exp` are set, whatever `payload` says. The header has `kid`, `typ: "JWT"` and
 * `alg: "RS256"`. Runs off the event loop: the key may come from the store.
 *
 * `userContext` is accepted for supertokens-node's signature; no override can read it.
 *
 * @throws TypeError `payload` is not an object, or `validitySeconds` not a number.
 * @throws TesseraError `INVALID_INPUT` for a validity that is not a non-negative integer or is
 * too large; `NOT_SUPPORTED` when the keys are a remote SuperTokens core's (`connectionURI`
 * `http(s)://...`); `STORAGE`.
 */
export async function createJWT(
  payload?: unknown,
  validitySeconds?: number,
  useStaticSigningKey?: boolean,
  userContext?: Record<string, unknown>,
): Promise<CreateJWTResult> {
  const { engine: e, jwtValiditySeconds } = state();
  const json = toJson(payload, "payload");
  if (validitySeconds !== undefined && validitySeconds !== null && typeof validitySeconds !== "number") {
    throw new TypeError("validitySeconds must be a number");
  }
  const validity = validitySeconds ?? jwtValiditySeconds ?? null;
  const jwt = await callAsync(() => e.createJwt(json, validity, useStaticSigningKey !== false));
  return { status: "OK", jwt };
}

/**
 * The public keys that verify the session authority's tokens and `createJWT`'s, as served at
 * `{apiBasePath}/jwt/jwks.json`, and their max-age. Runs off the event loop: the keys may come
 * from the store or a remote core.
 *
 * @throws TesseraError `STORAGE`; `TRY_REFRESH_TOKEN` when a remote core's JWKS cannot be fetched.
 */
export async function getJWKS(userContext?: Record<string, unknown>): Promise<GetJWKSResult> {
  const { json, maxAgeSeconds } = await callAsync(() => engine().jwks());
  const { keys } = JSON.parse(json) as { keys: JsonWebKey[] };
  return { keys, validityInSeconds: maxAgeSeconds };
}

const JWT = { init, createJWT, getJWKS };

export default JWT;
