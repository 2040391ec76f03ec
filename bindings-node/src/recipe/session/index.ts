/**
 * The session recipe (supertokens-node's `supertokens-node/recipe/session`): `init` for
 * `Tessera.init({recipeList: [...]})`, and the functions that work on sessions.
 */
import { TesseraError } from "../../error";
import { wrapRequest, wrapResponse } from "../../framework/wrap";
import type { SessionRecipeInit } from "../../index";
import { RecipeUserId } from "../../recipeUserId";
import type { TokenTransferMethodFunction } from "../../state";
import { engine, state } from "../../state";
import type { VerifySessionOptions } from "./common";
import { assertRequiredClaims, refreshInRequest, verifyRequest } from "./common";
import type { BaseResponse, ClaimValidationError, ErrorHandlers, UserContext } from "./errorHandlers";
import { installErrorHandlers } from "./errorHandlers";
import {
  asRecipeUserId,
  attach,
  createInRequest,
  createWithoutRequest,
  originalImplementation,
  requireSession,
  verifyAccessToken,
} from "./implementation";
import type {
  APIInterface,
  APIOptions,
  OverrideInput,
  RecipeInterface,
  SessionClaim,
  SessionClaimValidator,
} from "./recipeInterface";
import { asUserContext, overrideApis, overrideImplementation, userContextWithRequest } from "./recipeInterface";
import { createJWT, getJWKS } from "../jwt";
import type { CreateJWTResult, GetJWKSResult, JsonWebKey } from "../jwt";
import { getOpenIdDiscoveryConfiguration } from "../openid";
import type { GetOpenIdDiscoveryConfigurationResult } from "../openid";
import type { SessionContainerInterface, SessionInformation } from "./sessionContainer";
import { SessionContainer as SessionContainerClass } from "./sessionContainer";

export { TesseraError as Error, RecipeUserId };

/**
 * `SessionContainer`: as a value, Tessera's session class (for `instanceof`); as a type, the
 * session interface, as supertokens-node's `SessionContainer` type is, so that a plain object
 * with a session's methods type-checks where a session is expected (the docs' stub session).
 */
export const SessionContainer = SessionContainerClass;
export type SessionContainer = SessionContainerInterface;
/** The JWT and OpenID functions, which supertokens-node's session recipe exports too: see
 * `tessera-session/recipe/jwt` and `tessera-session/recipe/openid`. */
export { createJWT, getJWKS, getOpenIdDiscoveryConfiguration };
export type { CreateJWTResult, GetJWKSResult, GetOpenIdDiscoveryConfigurationResult, JsonWebKey };
export type { SessionContainerInterface, SessionInformation, VerifySessionOptions, TokenTransferMethodFunction };
export type { BaseResponse, ClaimValidationError, ErrorHandlers, UserContext };
export type { APIInterface, APIOptions, OverrideInput, RecipeInterface, SessionClaim, SessionClaimValidator };

/** The options of `Session.init`, in supertokens-node's names. Options left out take the core's
 * defaults. Tessera's own: `accessTokenValidity` (s), `refreshTokenValidity` (min),
 * `accessTokenDynamicSigningKeyUpdateInterval` (h), `refreshTokenRotationGracePeriod` (s),
 * `verifiedTokenCacheSize` (0 turns the cache off), and `tokenTransferMethod`. */
export interface TypeInput {
  cookieSecure?: boolean;
  cookieSameSite?: "strict" | "lax" | "none";
  cookieDomain?: string;
  olderCookieDomain?: string;
  sessionExpiredStatusCode?: number;
  invalidClaimStatusCode?: number;
  antiCsrf?: "VIA_TOKEN" | "VIA_CUSTOM_HEADER" | "NONE";
  exposeAccessTokenToFrontendInCookieBasedAuth?: boolean;
  useDynamicAccessTokenSigningKey?: boolean;
  accessTokenPath?: string;
  jwksRefreshIntervalSec?: number;
  /** `"any"`, `"cookie"` or `"header"`, or a function asked per request (supertokens-node's
   * shape; `forCreateNewSession` is true in `createNewSession` only). */
  getTokenTransferMethod?: "any" | "cookie" | "header" | TokenTransferMethodFunction;
  tokenTransferMethod?: "any" | "cookie" | "header";
  accessTokenValidity?: number;
  refreshTokenValidity?: number;
  accessTokenDynamicSigningKeyUpdateInterval?: number;
  refreshTokenRotationGracePeriod?: number;
  verifiedTokenCacheSize?: number;
  /** The application's answers to session errors (supertokens-node's names and arguments);
   * the tokens are cleared first where the protocol says so. A handler left out keeps the
   * protocol's answer. */
  errorHandlers?: ErrorHandlers;
  /** `functions` may replace any `RecipeInterface` function (e.g. `createNewSession` to add to
   * the access token payload, `getSession`, `getGlobalClaimValidators`), run wherever
   * supertokens-node runs it. `apis` may replace or remove `refreshPOST` and `signOutPOST` (the
   * refresh and sign-out endpoints are then served through them) and replace `verifySession`
   * (run for every route a framework's `verifySession()` protects), as in supertokens-node. */
  override?: OverrideInput;
}

const OPTION_NAMES = [
  "cookieSecure",
  "cookieSameSite",
  "cookieDomain",
  "olderCookieDomain",
  "sessionExpiredStatusCode",
  "invalidClaimStatusCode",
  "antiCsrf",
  "exposeAccessTokenToFrontendInCookieBasedAuth",
  "useDynamicAccessTokenSigningKey",
  "accessTokenPath",
  "jwksRefreshIntervalSec",
  "tokenTransferMethod",
  "accessTokenValidity",
  "refreshTokenValidity",
  "accessTokenDynamicSigningKeyUpdateInterval",
  "refreshTokenRotationGracePeriod",
  "verifiedTokenCacheSize",
] as const;

/**
 * The session recipe's options. Wrong values are reported by `Tessera.init` as
 * `INVALID_CONFIG` naming the option.
 *
 * `override.functions` and `override.apis` are called here, once each, with the default
 * implementations.
 *
 * @throws TesseraError `INVALID_CONFIG` for an `errorHandlers` key that is not a handler's name,
 * a handler that is not a function, or an `override` of the wrong kind (`overrideImplementation`
 * and `overrideApis` say which).
 */
export function init(config?: TypeInput): SessionRecipeInit {
  const given: TypeInput = { ...(config ?? {}) };
  const transfer = given.getTokenTransferMethod;
  const choose = typeof transfer === "function" ? transfer : undefined;
  if (transfer !== undefined && choose === undefined) given.tokenTransferMethod ??= transfer as TypeInput["tokenTransferMethod"];
  const errorHandlers = installErrorHandlers(given.errorHandlers);
  const functions = overrideImplementation(originalImplementation, given.override);
  const implementation = functions?.implementation ?? originalImplementation();
  const replaced = functions?.replaced;
  const options: Record<string, unknown> = {};
  for (const name of OPTION_NAMES) {
    if (given[name] !== undefined) options[name] = given[name];
  }
  const serveEndpoints = replaced?.endpoints ?? false;
  const apis = overrideApis(originalApiImplementation, given.override, implementation, options, serveEndpoints);
  return { tesseraRecipe: "session", options, getTokenTransferMethod: choose, errorHandlers, implementation, replaced, apis };
}

/** The input of `RecipeInterface.createNewSession`, as supertokens-node builds it from the
 * public functions' arguments. */
function createInput(
  tenantId: string,
  recipeUserId: RecipeUserId | string,
  accessTokenPayload: Record<string, unknown> | undefined,
  sessionDataInDatabase: Record<string, unknown> | undefined,
  disableAntiCsrf: boolean | undefined,
  userContext: UserContext,
): Parameters<RecipeInterface["createNewSession"]>[0] {
  const rid = asRecipeUserId(recipeUserId);
  return {
    userId: rid.getAsString(),
    recipeUserId: rid,
    accessTokenPayload: accessTokenPayload ?? {},
    sessionDataInDatabase: sessionDataInDatabase ?? {},
    disableAntiCsrf,
    tenantId,
    userContext,
  };
}

/**
 * The `APIInterface` `override.apis` is given (and the one used when `override.functions`
 * replaced a function the endpoints call): what the core does at each endpoint, one call per
 * step, so that an override can run code around it (or instead of it). A new object per
 * `Session.init`, as {@link originalImplementation}.
 */
function originalApiImplementation(): APIInterface {
  return {
    refreshPOST: function ({ options, userContext }) {
      return refreshSession(options.req, options.res, userContext);
    },
    signOutPOST: async function ({ session, userContext }) {
      await session.revokeSession(userContext);
      return { status: "OK" };
    },
    verifySession: function ({ verifySessionOptions, options, userContext }) {
      // The API's rules, not getSession's: a preflight has no session, the refresh path refreshes.
      return verifyRequest(engine(), wrapRequest(options.req), wrapResponse(options.res), verifySessionOptions, userContext, true);
    },
  };
}

/**
 * Creates a session and writes its tokens to `res`, in the transport the request asks for
 * (`st-auth-mode`) and the configuration allows.
 *
 * With `override.functions`, this is the app's `createNewSession({ userId, recipeUserId,
 * accessTokenPayload, sessionDataInDatabase, tenantId, userContext })`, with the request in
 * `userContext._default.request` (the caller's `userContext`, changed in place, as in
 * supertokens-node), and its answer (typed, as in supertokens-node, as the session interface:
 * an override may answer an object of its own). `disableAntiCsrf` is left out: the core decides
 * it from the transfer method, which it picks when the default implementation runs.
 */
export async function createNewSession(
  req: unknown,
  res: unknown,
  tenantId: string,
  recipeUserId: RecipeUserId | string,
  accessTokenPayload?: Record<string, unknown>,
  sessionDataInDatabase?: Record<string, unknown>,
  userContext?: unknown,
): Promise<SessionContainerInterface> {
  const { engine: e, implementation, replaced } = state();
  const request = wrapRequest(req);
  const response = wrapResponse(res);
  if (replaced !== undefined) {
    const context = userContextWithRequest(userContext, request, response);
    const input = createInput(tenantId, recipeUserId, accessTokenPayload, sessionDataInDatabase, undefined, context);
    return implementation.createNewSession(input);
  }
  const result = await createInRequest(e, request, tenantId, recipeUserId, accessTokenPayload, sessionDataInDatabase);
  return attach(new SessionContainer(e, requireSession(result.session), response, request), result.mutations);
}

/**
 * Verifies the request's session and checks its claims (the implementation's global claim
 * validators, then `options.overrideGlobalClaimValidators`); `undefined` when there is none and
 * `sessionRequired` is false. With a `getSession` from `override.functions`, the request's
 * access token goes to it, as supertokens-node's `getSessionFromRequest` hands it.
 * @throws TesseraError the protocol's session errors.
 */
// The overloads are supertokens-node's: a session is always given unless `sessionRequired: false`.
export async function getSession(req: unknown, res: unknown): Promise<SessionContainerClass>;
export async function getSession(
  req: unknown,
  res: unknown,
  options?: VerifySessionOptions & { sessionRequired?: true },
  userContext?: unknown,
): Promise<SessionContainerClass>;
export async function getSession(
  req: unknown,
  res: unknown,
  options?: VerifySessionOptions & { sessionRequired: false },
  userContext?: unknown,
): Promise<SessionContainerClass | undefined>;
export async function getSession(
  req: unknown,
  res: unknown,
  options?: VerifySessionOptions,
  userContext?: unknown,
): Promise<SessionContainerClass | undefined>;
export async function getSession(
  req: unknown,
  res: unknown,
  options?: VerifySessionOptions,
  userContext?: unknown,
): Promise<SessionContainerClass | undefined> {
  return verifyRequest(engine(), wrapRequest(req), wrapResponse(res), options, userContext);
}

/** Refreshes the request's session and writes the new tokens to `res`; with a `refreshSession`
 * from `override.functions`, through it.
 * @throws TesseraError `UNAUTHORISED`, `TOKEN_THEFT_DETECTED`. */
export async function refreshSession(req: unknown, res: unknown, userContext?: unknown): Promise<SessionContainerClass> {
  return refreshInRequest(wrapRequest(req), wrapResponse(res), userContext);
}

/** Creates a session outside a request: the caller carries its tokens. With
 * `override.functions`, this is the app's `createNewSession` and its answer. */
export async function createNewSessionWithoutRequestResponse(
  tenantId: string,
  recipeUserId: RecipeUserId | string,
  accessTokenPayload?: Record<string, unknown>,
  sessionDataInDatabase?: Record<string, unknown>,
  disableAntiCsrf = false,
  userContext?: unknown,
): Promise<SessionContainerInterface> {
  const { engine: e, implementation, replaced } = state();
  if (replaced !== undefined) {
    const context = asUserContext(userContext);
    const antiCsrf = Boolean(disableAntiCsrf);
    return implementation.createNewSession(
      createInput(tenantId, recipeUserId, accessTokenPayload, sessionDataInDatabase, antiCsrf, context),
    );
  }
  const native = await createWithoutRequest(
    e,
    tenantId,
    recipeUserId,
    accessTokenPayload,
    sessionDataInDatabase,
    Boolean(disableAntiCsrf),
  );
  return new SessionContainer(e, native);
}

/**
 * Verifies an access token given directly, then checks the session's claims as
 * {@link getSession} does. Without claim validators to run or a replaced `getSession`, the core
 * answers inline when it can do so without I/O (a known key, no `checkDatabase`), else off the
 * event loop.
 */
// The overloads are supertokens-node's: a session is always given unless `sessionRequired: false`.
export async function getSessionWithoutRequestResponse(accessToken: string, antiCsrfToken?: string): Promise<SessionContainerClass>;
export async function getSessionWithoutRequestResponse(
  accessToken: string,
  antiCsrfToken?: string,
  options?: VerifySessionOptions & { sessionRequired?: true },
  userContext?: unknown,
): Promise<SessionContainerClass>;
export async function getSessionWithoutRequestResponse(
  accessToken: string,
  antiCsrfToken?: string,
  options?: VerifySessionOptions & { sessionRequired: false },
  userContext?: unknown,
): Promise<SessionContainerClass | undefined>;
export async function getSessionWithoutRequestResponse(
  accessToken: string,
  antiCsrfToken?: string,
  options?: VerifySessionOptions,
  userContext?: unknown,
): Promise<SessionContainerClass | undefined>;
export async function getSessionWithoutRequestResponse(
  accessToken: string,
  antiCsrfToken?: string,
  options?: VerifySessionOptions,
  userContext?: unknown,
): Promise<SessionContainerClass | undefined> {
  const { implementation, replaced } = state();
  if (replaced?.verify !== true && options?.overrideGlobalClaimValidators === undefined) {
    return verifyAccessToken(accessToken, antiCsrfToken, options);
  }
  const ctx = asUserContext(userContext);
  const session = await implementation.getSession({ accessToken, antiCsrfToken, options, userContext: ctx });
  if (session !== undefined) await assertRequiredClaims(session, options?.overrideGlobalClaimValidators, ctx);
  return session;
}

/** Refreshes a session from its refresh token, through the recipe's `refreshSession`. */
export async function refreshSessionWithoutRequestResponse(
  refreshToken: string,
  disableAntiCsrf = false,
  antiCsrfToken?: string,
  userContext?: unknown,
): Promise<SessionContainerClass> {
  return state().implementation.refreshSession({
    refreshToken,
    disableAntiCsrf: Boolean(disableAntiCsrf),
    antiCsrfToken,
    userContext: asUserContext(userContext),
  });
}

/** Revokes one session; whether it existed. */
export async function revokeSession(sessionHandle: string, userContext?: unknown): Promise<boolean> {
  return state().implementation.revokeSession({ sessionHandle, userContext: asUserContext(userContext) });
}

/** Revokes sessions; the handles of those that existed. */
export async function revokeMultipleSessions(sessionHandles: string[], userContext?: unknown): Promise<string[]> {
  return state().implementation.revokeMultipleSessions({ sessionHandles, userContext: asUserContext(userContext) });
}

/** Revokes every session of `userId`: in `tenantId`, or in every tenant when `tenantId` is left
 * out (unless `revokeAcrossAllTenants` says otherwise). Tessera has no account linking: the
 * linked-accounts flag changes nothing. */
export async function revokeAllSessionsForUser(
  userId: string,
  revokeSessionsForLinkedAccounts = true,
  tenantId?: string,
  revokeAcrossAllTenants?: boolean,
  userContext?: unknown,
): Promise<string[]> {
  return state().implementation.revokeAllSessionsForUser({
    userId,
    revokeSessionsForLinkedAccounts,
    tenantId: tenantId ?? "public",
    revokeAcrossAllTenants: revokeAcrossAllTenants ?? tenantId === undefined,
    userContext: asUserContext(userContext),
  });
}

/** The handles of the live sessions of `userId`, scoped as {@link revokeAllSessionsForUser}. */
export async function getAllSessionHandlesForUser(
  userId: string,
  fetchSessionsForAllLinkedAccounts = true,
  tenantId?: string,
  fetchAcrossAllTenants?: boolean,
  userContext?: unknown,
): Promise<string[]> {
  return state().implementation.getAllSessionHandlesForUser({
    userId,
    fetchSessionsForAllLinkedAccounts,
    tenantId: tenantId ?? "public",
    fetchAcrossAllTenants: fetchAcrossAllTenants ?? tenantId === undefined,
    userContext: asUserContext(userContext),
  });
}

/** The session's information, or `undefined` when it does not exist (or has expired). */
export async function getSessionInformation(sessionHandle: string, userContext?: unknown): Promise<SessionInformation | undefined> {
  return state().implementation.getSessionInformation({ sessionHandle, userContext: asUserContext(userContext) });
}

/** Replaces the session's data in the database; whether the session exists. */
export async function updateSessionDataInDatabase(
  sessionHandle: string,
  newSessionData: Record<string, unknown>,
  userContext?: unknown,
): Promise<boolean> {
  return state().implementation.updateSessionDataInDatabase({
    sessionHandle,
    newSessionData,
    userContext: asUserContext(userContext),
  });
}

/** Merges into the stored access-token payload (used from the next access token on); whether
 * the session exists. */
export async function mergeIntoAccessTokenPayload(
  sessionHandle: string,
  accessTokenPayloadUpdate: Record<string, unknown>,
  userContext?: unknown,
): Promise<boolean> {
  return state().implementation.mergeIntoAccessTokenPayload({
    sessionHandle,
    accessTokenPayloadUpdate,
    userContext: asUserContext(userContext),
  });
}

// -- claims by session handle (used from the session's next access token on) ------------------

/** Fetches the claim's value for the session's user and merges it into the session's stored
 * payload; false when the session does not exist. */
export async function fetchAndSetClaim(
  sessionHandle: string,
  claim: SessionClaim<unknown>,
  userContext?: unknown,
): Promise<boolean> {
  return state().implementation.fetchAndSetClaim({ sessionHandle, claim, userContext: asUserContext(userContext) });
}

/** Sets the claim to `value` in the session's stored payload; false when the session does not exist. */
export async function setClaimValue<T>(
  sessionHandle: string,
  claim: SessionClaim<T>,
  value: T,
  userContext?: unknown,
): Promise<boolean> {
  return state().implementation.setClaimValue({ sessionHandle, claim, value, userContext: asUserContext(userContext) });
}

/** The claim's value in the session's stored payload. */
export async function getClaimValue<T>(
  sessionHandle: string,
  claim: SessionClaim<T>,
  userContext?: unknown,
): Promise<{ status: "SESSION_DOES_NOT_EXIST_ERROR" } | { status: "OK"; value: T | undefined }> {
  return state().implementation.getClaimValue({ sessionHandle, claim, userContext: asUserContext(userContext) });
}

/** Removes the claim from the session's stored payload; false when the session does not exist. */
export async function removeClaim(
  sessionHandle: string,
  claim: SessionClaim<unknown>,
  userContext?: unknown,
): Promise<boolean> {
  return state().implementation.removeClaim({ sessionHandle, claim, userContext: asUserContext(userContext) });
}

/**
 * Checks a session's claims by its handle, as a request's are checked (the implementation's
 * global claim validators, then `overrideGlobalClaimValidators`, given the session's
 * information), on its stored payload; the values fetched on the way are merged into it.
 */
export async function validateClaimsForSessionHandle(
  sessionHandle: string,
  overrideGlobalClaimValidators?: (
    globalClaimValidators: SessionClaimValidator[],
    sessionInfo: SessionInformation,
    userContext: UserContext,
  ) => Promise<SessionClaimValidator[]> | SessionClaimValidator[],
  userContext?: unknown,
): Promise<{ status: "SESSION_DOES_NOT_EXIST_ERROR" } | { status: "OK"; invalidClaims: ClaimValidationError[] }> {
  const ctx = asUserContext(userContext);
  const impl = state().implementation;
  const info = await impl.getSessionInformation({ sessionHandle, userContext: ctx });
  if (info === undefined) return { status: "SESSION_DOES_NOT_EXIST_ERROR" };
  const globalValidators = await impl.getGlobalClaimValidators({
    userId: info.userId,
    recipeUserId: info.recipeUserId,
    tenantId: info.tenantId,
    claimValidatorsAddedByOtherRecipes: [],
    userContext: ctx,
  });
  const claimValidators =
    overrideGlobalClaimValidators === undefined
      ? globalValidators
      : await overrideGlobalClaimValidators(globalValidators, info, ctx);
  const { invalidClaims, accessTokenPayloadUpdate } = await impl.validateClaims({
    userId: info.userId,
    recipeUserId: info.recipeUserId,
    accessTokenPayload: info.customClaimsInAccessTokenPayload,
    claimValidators,
    userContext: ctx,
  });
  if (accessTokenPayloadUpdate !== undefined) {
    const merged = await impl.mergeIntoAccessTokenPayload({ sessionHandle, accessTokenPayloadUpdate, userContext: ctx });
    if (!merged) return { status: "SESSION_DOES_NOT_EXIST_ERROR" };
  }
  return { status: "OK", invalidClaims };
}

const Session = {
  init,
  Error: TesseraError,
  createNewSession,
  getSession,
  refreshSession,
  createNewSessionWithoutRequestResponse,
  getSessionWithoutRequestResponse,
  refreshSessionWithoutRequestResponse,
  revokeSession,
  revokeMultipleSessions,
  revokeAllSessionsForUser,
  getAllSessionHandlesForUser,
  getSessionInformation,
  updateSessionDataInDatabase,
  mergeIntoAccessTokenPayload,
  fetchAndSetClaim,
  setClaimValue,
  getClaimValue,
  removeClaim,
  validateClaimsForSessionHandle,
  createJWT,
  getJWKS,
  getOpenIdDiscoveryConfiguration,
};

export default Session;
