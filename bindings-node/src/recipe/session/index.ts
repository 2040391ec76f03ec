/**
 * The session recipe (supertokens-node's `supertokens-node/recipe/session`): `init` for
 * `Tessera.init({recipeList: [...]})`, and the functions that work on sessions.
 */
import { TesseraError, callAsync, fromNative } from "../../error";
import type { NativeEngine, NativeSession } from "../../native";
import { wrapRequest, wrapResponse } from "../../framework/wrap";
import type { RequestAdapter } from "../../framework/request";
import { nativeRequest } from "../../framework/request";
import type { SessionRecipeInit } from "../../index";
import { RecipeUserId, recipeUserIdString } from "../../recipeUserId";
import type { TokenTransferMethodFunction } from "../../state";
import { engine, state } from "../../state";
import type { VerifySessionOptions } from "./common";
import { checkClaimOverride, verifyRequest } from "./common";
import type { BaseResponse, ClaimValidationError, ErrorHandlers, UserContext } from "./errorHandlers";
import { installErrorHandlers } from "./errorHandlers";
import type {
  APIInterface,
  APIOptions,
  OverrideInput,
  RecipeInterface,
  SessionClaim,
  SessionClaimValidator,
} from "./recipeInterface";
import {
  asUserContext,
  overrideApis,
  overrideImplementation,
  requestInUserContext,
  userContextWithRequest,
} from "./recipeInterface";
import type { SessionInformation } from "./sessionContainer";
import { SessionContainer, sessionInformation, toJson } from "./sessionContainer";

export { SessionContainer, TesseraError as Error, RecipeUserId };
export type { SessionInformation, VerifySessionOptions, TokenTransferMethodFunction };
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
  /** `functions` may replace `createNewSession` (e.g. to add to the access token payload);
   * init refuses an implementation that changes another method. `apis` may replace or remove
   * `refreshPOST` and `signOutPOST` (the refresh and sign-out endpoints are then served through
   * them) and replace `verifySession` (run for every route a framework's `verifySession()`
   * protects), as in supertokens-node. */
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
 * @throws TesseraError `NOT_SUPPORTED` for an `override.functions` that changes a method other
 * than `createNewSession`; `INVALID_CONFIG` for an `errorHandlers` key that is not a handler's
 * name, a handler that is not a function, or an `override` of the wrong kind (`overrideApis`
 * says which `apis` are refused).
 */
export function init(config?: TypeInput): SessionRecipeInit {
  const given: TypeInput = { ...(config ?? {}) };
  const transfer = given.getTokenTransferMethod;
  const choose = typeof transfer === "function" ? transfer : undefined;
  if (transfer !== undefined && choose === undefined) given.tokenTransferMethod ??= transfer as TypeInput["tokenTransferMethod"];
  const errorHandlers = installErrorHandlers(given.errorHandlers);
  const recipeImplementation = overrideImplementation(originalImplementation, given.override);
  const options: Record<string, unknown> = {};
  for (const name of OPTION_NAMES) {
    if (given[name] !== undefined) options[name] = given[name];
  }
  const apis = overrideApis(
    originalApiImplementation,
    given.override,
    () => recipeImplementation ?? originalImplementation(),
    options,
  );
  return { tesseraRecipe: "session", options, getTokenTransferMethod: choose, errorHandlers, recipeImplementation, apis };
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
  const userId = recipeUserIdString(recipeUserId);
  return {
    userId,
    recipeUserId: recipeUserId instanceof RecipeUserId ? recipeUserId : new RecipeUserId(userId),
    accessTokenPayload: accessTokenPayload ?? {},
    sessionDataInDatabase: sessionDataInDatabase ?? {},
    disableAntiCsrf,
    tenantId,
    userContext,
  };
}

/** The native request-level create; the caller attaches what it returns to the response. */
function createInRequest(
  e: NativeEngine,
  request: RequestAdapter,
  tenantId: string,
  recipeUserId: RecipeUserId | string,
  accessTokenPayload: Record<string, unknown> | undefined,
  sessionDataInDatabase: Record<string, unknown> | undefined,
  userContext?: UserContext,
): ReturnType<NativeEngine["createNewSession"]> {
  const [method, path, headers, transfer] = nativeRequest(request, true, userContext);
  const userId = recipeUserIdString(recipeUserId);
  const payload = toJson(accessTokenPayload, "accessTokenPayload");
  const data = toJson(sessionDataInDatabase, "sessionDataInDatabase");
  return callAsync(() => e.createNewSession(method, path, headers, tenantId, userId, payload, data, transfer));
}

/** The native create outside a request. */
function createWithoutRequest(
  e: NativeEngine,
  tenantId: string,
  recipeUserId: RecipeUserId | string,
  accessTokenPayload: Record<string, unknown> | undefined,
  sessionDataInDatabase: Record<string, unknown> | undefined,
  disableAntiCsrf: boolean,
): Promise<NativeSession> {
  const userId = recipeUserIdString(recipeUserId);
  const payload = toJson(accessTokenPayload, "accessTokenPayload");
  const data = toJson(sessionDataInDatabase, "sessionDataInDatabase");
  return callAsync(() => e.createNewSessionWithoutRequestResponse(tenantId, userId, payload, data, disableAntiCsrf));
}

function notSupported(name: string): () => Promise<never> {
  return async () => {
    throw new TesseraError({ type: "NOT_SUPPORTED", message: `${name} is not supported by Tessera yet` });
  };
}

/**
 * The implementation `override.functions` is given: this module's functions behind
 * supertokens-node's `RecipeInterface`. A new object per `Session.init`, so that an app that
 * changes it in place changes only its own.
 */
function originalImplementation(): RecipeInterface {
  return {
    createNewSession: async function (input) {
      const e = engine();
      const call = requestInUserContext(input.userContext);
      if (call !== undefined) {
        // In a request the core picks the transfer method, and with it anti-CSRF:
        // `disableAntiCsrf` has no say there.
        const result = await createInRequest(
          e,
          call.request,
          input.tenantId,
          input.recipeUserId,
          input.accessTokenPayload,
          input.sessionDataInDatabase,
          input.userContext,
        );
        return attach(new SessionContainer(e, requireSession(result.session), call.response), result.mutations);
      }
      const native = await createWithoutRequest(
        e,
        input.tenantId,
        input.recipeUserId,
        input.accessTokenPayload,
        input.sessionDataInDatabase,
        Boolean(input.disableAntiCsrf),
      );
      return new SessionContainer(e, native);
    },
    getGlobalClaimValidators: notSupported("getGlobalClaimValidators (session claims)"),
    getSession: async function ({ accessToken, antiCsrfToken, options, userContext }) {
      if (accessToken === undefined) {
        if (options?.sessionRequired === false) return undefined;
        throw new TesseraError({ type: "UNAUTHORISED", message: "getSession was given no access token" });
      }
      return getSessionWithoutRequestResponse(accessToken, antiCsrfToken, options, userContext);
    },
    refreshSession: function ({ refreshToken, antiCsrfToken, disableAntiCsrf, userContext }) {
      return refreshSessionWithoutRequestResponse(refreshToken, disableAntiCsrf, antiCsrfToken, userContext);
    },
    getSessionInformation: function ({ sessionHandle, userContext }) {
      return getSessionInformation(sessionHandle, userContext);
    },
    revokeAllSessionsForUser: function (input) {
      return revokeAllSessionsForUser(
        input.userId,
        input.revokeSessionsForLinkedAccounts,
        input.tenantId,
        input.revokeAcrossAllTenants,
        input.userContext,
      );
    },
    getAllSessionHandlesForUser: function (input) {
      return getAllSessionHandlesForUser(
        input.userId,
        input.fetchSessionsForAllLinkedAccounts,
        input.tenantId,
        input.fetchAcrossAllTenants,
        input.userContext,
      );
    },
    revokeSession: function ({ sessionHandle, userContext }) {
      return revokeSession(sessionHandle, userContext);
    },
    revokeMultipleSessions: function ({ sessionHandles, userContext }) {
      return revokeMultipleSessions(sessionHandles, userContext);
    },
    updateSessionDataInDatabase: function ({ sessionHandle, newSessionData, userContext }) {
      return updateSessionDataInDatabase(sessionHandle, newSessionData, userContext);
    },
    mergeIntoAccessTokenPayload: function ({ sessionHandle, accessTokenPayloadUpdate, userContext }) {
      return mergeIntoAccessTokenPayload(sessionHandle, accessTokenPayloadUpdate, userContext);
    },
    regenerateAccessToken: notSupported("regenerateAccessToken"),
    validateClaims: notSupported("validateClaims (session claims)"),
    fetchAndSetClaim: notSupported("fetchAndSetClaim (session claims)"),
    setClaimValue: notSupported("setClaimValue (session claims)"),
    getClaimValue: notSupported("getClaimValue (session claims)"),
    removeClaim: notSupported("removeClaim (session claims)"),
  };
}

/**
 * The `APIInterface` `override.apis` is given: what the core does at each endpoint, one call per
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
      return getSession(options.req, options.res, verifySessionOptions, userContext);
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
 * supertokens-node), and its answer. `disableAntiCsrf` is left out: the core decides it from
 * the transfer method, which it picks when the default implementation runs.
 */
export async function createNewSession(
  req: unknown,
  res: unknown,
  tenantId: string,
  recipeUserId: RecipeUserId | string,
  accessTokenPayload?: Record<string, unknown>,
  sessionDataInDatabase?: Record<string, unknown>,
  userContext?: unknown,
): Promise<SessionContainer> {
  const { engine: e, recipeImplementation } = state();
  const request = wrapRequest(req);
  const response = wrapResponse(res);
  if (recipeImplementation !== undefined) {
    const context = userContextWithRequest(userContext, request, response);
    const input = createInput(tenantId, recipeUserId, accessTokenPayload, sessionDataInDatabase, undefined, context);
    return recipeImplementation.createNewSession(input);
  }
  const result = await createInRequest(e, request, tenantId, recipeUserId, accessTokenPayload, sessionDataInDatabase);
  return attach(new SessionContainer(e, requireSession(result.session), response), result.mutations);
}

function requireSession<T>(session: T | null | undefined): T {
  if (session === null || session === undefined) {
    throw new TesseraError({ type: "INTERNAL", message: "the native module returned no session" });
  }
  return session;
}

function attach(
  session: SessionContainer,
  mutations: Parameters<SessionContainer["applyMutations"]>[0],
): SessionContainer {
  session.applyMutations(mutations);
  return session;
}

/** Verifies the request's session; `undefined` when there is none and `sessionRequired` is
 * false. @throws TesseraError the protocol's session errors. */
export async function getSession(
  req: unknown,
  res: unknown,
  options?: VerifySessionOptions,
  userContext?: unknown,
): Promise<SessionContainer | undefined> {
  return verifyRequest(engine(), wrapRequest(req), wrapResponse(res), options, userContext);
}

/** Refreshes the request's session and writes the new tokens to `res`.
 * @throws TesseraError `UNAUTHORISED`, `TOKEN_THEFT_DETECTED`. */
export async function refreshSession(req: unknown, res: unknown, _userContext?: unknown): Promise<SessionContainer> {
  const e = engine();
  const request = wrapRequest(req);
  const [method, path, headers, transfer] = nativeRequest(request);
  const result = await callAsync(() => e.refreshSession(method, path, headers, transfer));
  return attach(new SessionContainer(e, requireSession(result.session), wrapResponse(res)), result.mutations);
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
): Promise<SessionContainer> {
  const { engine: e, recipeImplementation } = state();
  if (recipeImplementation !== undefined) {
    const context = asUserContext(userContext);
    const antiCsrf = Boolean(disableAntiCsrf);
    return recipeImplementation.createNewSession(
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

/** Verifies an access token given directly: inline when the core can answer without I/O
 * (a known key, no `checkDatabase`), else off the event loop. */
export async function getSessionWithoutRequestResponse(
  accessToken: string,
  antiCsrfToken?: string,
  options?: VerifySessionOptions,
  userContext?: unknown,
): Promise<SessionContainer | undefined> {
  const e = engine();
  const csrf = antiCsrfToken ?? null;
  const required = options?.sessionRequired ?? true;
  const antiCsrf = options?.antiCsrfCheck ?? null;
  const checkDatabase = options?.checkDatabase ?? false;
  let native: NativeSession | null | undefined;
  try {
    native = e.getSessionWithoutRequestResponseWithoutIo(accessToken, csrf, required, antiCsrf, checkDatabase);
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code !== "WOULD_BLOCK") throw fromNative(err);
    native = await callAsync(() =>
      e.getSessionWithoutRequestResponse(accessToken, csrf, required, antiCsrf, checkDatabase),
    );
  }
  const session = native === null || native === undefined ? undefined : new SessionContainer(e, native);
  if (options?.overrideGlobalClaimValidators !== undefined) await checkClaimOverride(options, session, userContext);
  return session;
}

export async function refreshSessionWithoutRequestResponse(
  refreshToken: string,
  disableAntiCsrf = false,
  antiCsrfToken?: string,
  _userContext?: unknown,
): Promise<SessionContainer> {
  const e = engine();
  const native = await callAsync(() =>
    e.refreshSessionWithoutRequestResponse(refreshToken, Boolean(disableAntiCsrf), antiCsrfToken ?? null),
  );
  return new SessionContainer(e, native);
}

/** Revokes one session; whether it existed. */
export async function revokeSession(sessionHandle: string, _userContext?: unknown): Promise<boolean> {
  const e = engine();
  return callAsync(() => e.revokeSession(sessionHandle));
}

/** Revokes sessions; the handles of those that existed. */
export async function revokeMultipleSessions(sessionHandles: string[], _userContext?: unknown): Promise<string[]> {
  const e = engine();
  return callAsync(() => e.revokeMultipleSessions([...sessionHandles]));
}

/** The native tenant argument: `null` means every tenant. As in supertokens-node, leaving
 * `tenantId` out means every tenant unless `acrossAllTenants` says otherwise. */
function tenantScope(tenantId: string | undefined, acrossAllTenants: boolean | undefined): string | null {
  const across = acrossAllTenants ?? tenantId === undefined;
  return across ? null : (tenantId ?? "public");
}

/** Revokes every session of `userId` (Tessera has no account linking: the flag changes nothing). */
export async function revokeAllSessionsForUser(
  userId: string,
  _revokeSessionsForLinkedAccounts = true,
  tenantId?: string,
  revokeAcrossAllTenants?: boolean,
  _userContext?: unknown,
): Promise<string[]> {
  const e = engine();
  return callAsync(() => e.revokeAllSessionsForUser(userId, tenantScope(tenantId, revokeAcrossAllTenants)));
}

export async function getAllSessionHandlesForUser(
  userId: string,
  _fetchSessionsForAllLinkedAccounts = true,
  tenantId?: string,
  fetchAcrossAllTenants?: boolean,
  _userContext?: unknown,
): Promise<string[]> {
  const e = engine();
  return callAsync(() => e.getAllSessionHandlesForUser(userId, tenantScope(tenantId, fetchAcrossAllTenants)));
}

/** The session's information, or `undefined` when it does not exist (or has expired). */
export async function getSessionInformation(
  sessionHandle: string,
  _userContext?: unknown,
): Promise<SessionInformation | undefined> {
  const e = engine();
  const info = await callAsync(() => e.getSessionInformation(sessionHandle));
  return info === null || info === undefined ? undefined : sessionInformation(info);
}

/** Replaces the session's data in the database; whether the session exists. */
export async function updateSessionDataInDatabase(
  sessionHandle: string,
  newSessionData: Record<string, unknown>,
  _userContext?: unknown,
): Promise<boolean> {
  const e = engine();
  const data = toJson(newSessionData, "newSessionData");
  return callAsync(() => e.updateSessionDataInDatabase(sessionHandle, data));
}

/** Merges into the stored access-token payload (used from the next access token on). */
export async function mergeIntoAccessTokenPayload(
  sessionHandle: string,
  accessTokenPayloadUpdate: Record<string, unknown>,
  _userContext?: unknown,
): Promise<boolean> {
  const e = engine();
  const update = toJson(accessTokenPayloadUpdate, "accessTokenPayloadUpdate");
  return callAsync(() => e.mergeIntoAccessTokenPayload(sessionHandle, update));
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
};

export default Session;
