/**
 * `Session.init({ override })`: supertokens-node's `RecipeInterface` and `APIInterface`, and the
 * checks of an app's `override.functions` and `override.apis`.
 *
 * The `RecipeInterface` the app builds is used whole, where supertokens-node uses it: the public
 * session functions call it, `SessionContainer` methods call it (`revokeSession`,
 * `getSessionDataFromDatabase`, `assertClaims`, ...), and requests go through its `getSession`,
 * `getGlobalClaimValidators`, `validateClaims` and `refreshSession` once the app replaced one of
 * them. Requests of an app that replaced none of those keep the core's direct path, which
 * answers the same without calling into JavaScript.
 *
 * The `APIInterface` the app builds is used whole too: with `override.apis`, the refresh and
 * sign-out endpoints are served through its `refreshPOST` and `signOutPOST` (see
 * `framework/api.ts`), and a replaced `verifySession` runs for every route a framework's
 * `verifySession()` protects. They are also served through the default ones when
 * `override.functions` replaced a function they call, so that the replacement runs.
 */
import { TesseraError } from "../../error";
import type { RequestAdapter } from "../../framework/request";
import { baseRequest } from "../../framework/request";
import type { ResponseAdapter } from "../../framework/response";
import type { RecipeUserId } from "../../recipeUserId";
import type { BaseRequest } from "../../state";
import type { VerifySessionOptions } from "./common";
import type { BaseResponse, ClaimValidationError, UserContext } from "./errorHandlers";
import type { SessionContainer, SessionContainerInterface, SessionInformation } from "./sessionContainer";

/* eslint-disable @typescript-eslint/no-explicit-any -- payloads and session data are `any` in supertokens-node's types */

import type { SessionClaim } from "./claims";

export type { SessionClaim };

/** A claim validator, as supertokens-node's `SessionClaimValidator`. */
export interface SessionClaimValidator {
  id: string;
  claim?: SessionClaim<any>;
  shouldRefetch?: (payload: any, userContext: UserContext) => Promise<boolean> | boolean;
  validate: (payload: any, userContext: UserContext) => Promise<{ isValid: true } | { isValid: false; reason?: unknown }>;
}

/** The session part of a core answer, as supertokens-node's `regenerateAccessToken` gives it. */
interface RegeneratedSession {
  handle: string;
  userId: string;
  recipeUserId: RecipeUserId;
  userDataInJWT: any;
  tenantId: string;
}

/**
 * The session recipe's functions, with supertokens-node's names and input objects: what
 * `override.functions` is given and returns, and what Tessera calls wherever supertokens-node
 * calls the recipe implementation (see the module comment). The default `regenerateAccessToken`
 * answers as the SuperTokens core's `/recipe/session/regenerate` does (the payload replaced, the
 * expiry kept, undefined for a session that is gone). Once the app replaced it,
 * `SessionContainer.mergeIntoAccessTokenPayload` calls it with the merged payload and makes the
 * token it returns the session's, as supertokens-node's does; otherwise the core merges and
 * regenerates the session's token itself there, without calling into JavaScript.
 */
export type RecipeInterface = {
  /** Creates a session. In a request-level `Session.createNewSession`, `userContext._default.request`
   * is the request, and the default writes the tokens to its response; elsewhere the session is
   * made without a request (honouring `disableAntiCsrf`). An override may answer any object with
   * a session's methods (supertokens-node's `SessionContainerInterface`). */
  createNewSession(input: {
    userId: string;
    recipeUserId: RecipeUserId;
    accessTokenPayload?: any;
    sessionDataInDatabase?: any;
    disableAntiCsrf?: boolean;
    tenantId: string;
    userContext: UserContext;
  }): Promise<SessionContainerInterface>;
  getGlobalClaimValidators(input: {
    tenantId: string;
    userId: string;
    recipeUserId: RecipeUserId;
    claimValidatorsAddedByOtherRecipes: SessionClaimValidator[];
    userContext: UserContext;
  }): Promise<SessionClaimValidator[]> | SessionClaimValidator[];
  getSession(input: {
    accessToken: string | undefined;
    antiCsrfToken?: string;
    options?: VerifySessionOptions;
    userContext: UserContext;
  }): Promise<SessionContainer | undefined>;
  refreshSession(input: {
    refreshToken: string;
    antiCsrfToken?: string;
    disableAntiCsrf: boolean;
    userContext: UserContext;
  }): Promise<SessionContainer>;
  getSessionInformation(input: { sessionHandle: string; userContext: UserContext }): Promise<SessionInformation | undefined>;
  revokeAllSessionsForUser(input: {
    userId: string;
    revokeSessionsForLinkedAccounts: boolean;
    tenantId: string;
    revokeAcrossAllTenants?: boolean;
    userContext: UserContext;
  }): Promise<string[]>;
  getAllSessionHandlesForUser(input: {
    userId: string;
    fetchSessionsForAllLinkedAccounts: boolean;
    tenantId: string;
    fetchAcrossAllTenants?: boolean;
    userContext: UserContext;
  }): Promise<string[]>;
  revokeSession(input: { sessionHandle: string; userContext: UserContext }): Promise<boolean>;
  revokeMultipleSessions(input: { sessionHandles: string[]; userContext: UserContext }): Promise<string[]>;
  updateSessionDataInDatabase(input: { sessionHandle: string; newSessionData: any; userContext: UserContext }): Promise<boolean>;
  mergeIntoAccessTokenPayload(input: {
    sessionHandle: string;
    accessTokenPayloadUpdate: Record<string, unknown>;
    userContext: UserContext;
  }): Promise<boolean>;
  /** Makes `newAccessTokenPayload` (`{}` when missing) the session's access token payload; a new
   * token with the old one's expiry carries it unless `accessToken` had expired. */
  regenerateAccessToken(input: {
    accessToken: string;
    newAccessTokenPayload?: any;
    userContext: UserContext;
  }): Promise<
    | { status: "OK"; session: RegeneratedSession; accessToken?: { token: string; expiry: number; createdTime: number } }
    | undefined
  >;
  validateClaims(input: {
    userId: string;
    recipeUserId: RecipeUserId;
    accessTokenPayload: any;
    claimValidators: SessionClaimValidator[];
    userContext: UserContext;
  }): Promise<{ invalidClaims: ClaimValidationError[]; accessTokenPayloadUpdate?: any }>;
  fetchAndSetClaim(input: { sessionHandle: string; claim: SessionClaim<any>; userContext: UserContext }): Promise<boolean>;
  setClaimValue<T>(input: { sessionHandle: string; claim: SessionClaim<T>; value: T; userContext: UserContext }): Promise<boolean>;
  getClaimValue<T>(input: {
    sessionHandle: string;
    claim: SessionClaim<T>;
    userContext: UserContext;
  }): Promise<{ status: "SESSION_DOES_NOT_EXIST_ERROR" } | { status: "OK"; value: T | undefined }>;
  removeClaim(input: { sessionHandle: string; claim: SessionClaim<any>; userContext: UserContext }): Promise<boolean>;
};

/** What an `APIInterface` function is given, as in supertokens-node. */
export type APIOptions = {
  /** The implementation `override.functions` built, or the default one. */
  recipeImplementation: RecipeInterface;
  /** The session options the app gave `Session.init` (see {@link InstalledApis.config}). */
  config: Record<string, unknown>;
  /** `"session"`. */
  recipeId: string;
  /** Always false: Tessera keeps nothing per process that a serverless runtime would lose. */
  isInServerlessEnv: boolean;
  /** The request; the session functions that take a request (`Session.getSession(req, res)`
   * and friends) also take it. */
  req: BaseRequest;
  /** The response: what an API function writes here is sent with the endpoint's answer, and a
   * body it sends (`sendJSONResponse`) replaces that answer, as in supertokens-node. */
  res: BaseResponse;
};

/**
 * The session recipe's APIs, as supertokens-node's `APIInterface`: what `override.apis` is
 * given and returns. `refreshPOST` serves `POST {apiBasePath}/session/refresh` and `signOutPOST`
 * `POST {apiBasePath}/signout` (after the session is verified, as supertokens-node does);
 * `undefined` leaves that endpoint to the app's own routes. `verifySession` is what a
 * framework's `verifySession()` asks for the session of a route.
 */
export type APIInterface = {
  /** Refreshes the request's session, writing the new tokens to `options.res`; the endpoint
   * then answers 200 `{}`. */
  refreshPOST: undefined | ((input: { options: APIOptions; userContext: UserContext }) => Promise<SessionContainer>);
  /** Revokes the (verified) session, clearing its tokens; the endpoint answers 200 with the
   * result as JSON. */
  signOutPOST:
    | undefined
    | ((input: {
        options: APIOptions;
        session: SessionContainer;
        userContext: UserContext;
      }) => Promise<{ status: "OK" } | { status: "GENERAL_ERROR"; message: string }>);
  /** The session of a route's request (undefined when there is none and `sessionRequired` is
   * false), with the response changes written to `options.res`. */
  verifySession(input: {
    verifySessionOptions: VerifySessionOptions | undefined;
    options: APIOptions;
    userContext: UserContext;
  }): Promise<SessionContainer | undefined>;
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** `Session.init`'s `override`, as in supertokens-node (without the `OverrideableBuilder`
 * second argument). */
export interface OverrideInput {
  /** Given the default implementation, returns the one to use (called once, at init). */
  functions?: (originalImplementation: RecipeInterface) => RecipeInterface;
  /** Given Tessera's `APIInterface`, returns the one to use (called once, at init). */
  apis?: (originalImplementation: APIInterface) => APIInterface;
}

/** An app's `override.apis`, as `Session.init` checked it, with what its functions are given
 * besides the request and the response. */
export interface InstalledApis {
  /** What `override.apis` returned. */
  readonly implementation: APIInterface;
  /** `APIOptions.recipeImplementation`. */
  readonly recipeImplementation: RecipeInterface;
  /** `APIOptions.config`. Tessera normalises the session options in the core, which does not
   * hand them back, so this is not supertokens-node's normalised config: it is a frozen copy of
   * the options the app gave `Session.init` (those the core was given), `{}` when none. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Whether the app's `verifySession` replaced Tessera's; if not, routes verify their session
   * directly, as without `override.apis`. */
  readonly verifySessionReplaced: boolean;
}

/** Every `RecipeInterface` method: what the default implements and the check compares. */
const METHOD_NAMES = [
  "createNewSession",
  "getGlobalClaimValidators",
  "getSession",
  "refreshSession",
  "getSessionInformation",
  "revokeAllSessionsForUser",
  "getAllSessionHandlesForUser",
  "revokeSession",
  "revokeMultipleSessions",
  "updateSessionDataInDatabase",
  "mergeIntoAccessTokenPayload",
  "regenerateAccessToken",
  "validateClaims",
  "fetchAndSetClaim",
  "setClaimValue",
  "getClaimValue",
  "removeClaim",
] as const satisfies readonly (keyof RecipeInterface)[];

/** Which request paths must leave the core's direct path for an app's `override.functions`. */
export interface ReplacedFunctions {
  /** `getSession`, `getGlobalClaimValidators` or `validateClaims`: every verification of a
   * request runs through the implementation, as supertokens-node's `getSessionFromRequest`. */
  readonly verify: boolean;
  /** `getSession`: requests hand what they carry to it rather than to the core. */
  readonly getSession: boolean;
  /** `refreshSession`: refresh requests hand their refresh token to it. */
  readonly refreshSession: boolean;
  /** `regenerateAccessToken`: a session's `mergeIntoAccessTokenPayload` hands the merged payload
   * to it, as supertokens-node's does, rather than merging in the core. */
  readonly regenerateAccessToken: boolean;
  /** Anything but `createNewSession`: the refresh and sign-out endpoints are served through the
   * `APIInterface`, whose functions call the implementation. */
  readonly endpoints: boolean;
}

/** What `override.functions` built, as `Session.init` checked it. */
export interface InstalledFunctions {
  readonly implementation: RecipeInterface;
  readonly replaced: ReplacedFunctions;
}

function invalidConfig(message: string): TesseraError {
  return new TesseraError({ type: "INVALID_CONFIG", message });
}

/**
 * The implementation `Session.init`'s `override.functions` builds from the default one (made by
 * `makeOriginal`), and which of its functions differ from the default's; undefined when the app
 * gives no `override.functions`. `override.functions` is called here, once.
 *
 * @throws TesseraError `INVALID_CONFIG` for a value of the wrong kind, or an implementation
 * missing one of the `RecipeInterface` functions (Tessera calls each of them somewhere).
 */
export function overrideImplementation(makeOriginal: () => RecipeInterface, override: unknown): InstalledFunctions | undefined {
  if (override === undefined || override === null) return undefined;
  if (typeof override !== "object") throw invalidConfig("override must be an object ({ functions, apis })");
  const { functions } = override as { functions?: unknown };
  if (functions === undefined) return undefined;
  if (typeof functions !== "function") throw invalidConfig("override.functions must be a function");
  // Compared with a copy taken before the call: an app may change the object it is given in
  // place and return it.
  const original = makeOriginal();
  const defaults: RecipeInterface = { ...original };
  const built = (functions as (o: RecipeInterface) => unknown)(original) as RecipeInterface | null | undefined;
  if (built === null || typeof built !== "object") {
    throw invalidConfig("override.functions must return the recipe implementation (an object)");
  }
  const missing = METHOD_NAMES.filter((name) => typeof built[name] !== "function");
  if (missing.length > 0) throw invalidConfig(`override.functions: ${missing.join(", ")} must be a function`);
  const changed = new Set<string>(METHOD_NAMES.filter((name) => built[name] !== defaults[name]));
  const getSession = changed.has("getSession");
  return {
    implementation: built,
    replaced: Object.freeze({
      verify: getSession || changed.has("getGlobalClaimValidators") || changed.has("validateClaims"),
      getSession,
      refreshSession: changed.has("refreshSession"),
      regenerateAccessToken: changed.has("regenerateAccessToken"),
      endpoints: [...changed].some((name) => name !== "createNewSession"),
    }),
  };
}

/** The `APIInterface` methods, and whether each may be `undefined` (an endpoint left to the app). */
const API_METHODS = [
  ["refreshPOST", true],
  ["signOutPOST", true],
  ["verifySession", false],
] as const satisfies readonly (readonly [keyof APIInterface, boolean])[];

/**
 * What `Session.init`'s `override.apis` builds from Tessera's `APIInterface` (made by
 * `makeOriginal`). Without `override.apis`, the default `APIInterface` when `serveEndpoints` (an
 * `override.functions` replaced a function the endpoints call), else undefined (so that the
 * endpoints and routes keep the core's direct path). `override.apis` is called here, once.
 * `override` was checked by {@link overrideImplementation}; `recipeImplementation` is
 * `APIOptions.recipeImplementation`.
 *
 * @throws TesseraError `INVALID_CONFIG` when `override.apis` is not a function, returns no
 * object, or gives `refreshPOST` or `signOutPOST` that is neither a function nor undefined, or
 * a `verifySession` that is not a function (supertokens-node calls it for every protected
 * route, so a missing one would fail each of them rather than init).
 */
export function overrideApis(
  makeOriginal: () => APIInterface,
  override: unknown,
  recipeImplementation: RecipeInterface,
  config: Record<string, unknown>,
  serveEndpoints: boolean,
): InstalledApis | undefined {
  const apis = (override as { apis?: unknown } | null | undefined)?.apis;
  if (apis === undefined) {
    if (!serveEndpoints) return undefined;
    const implementation = makeOriginal();
    return { implementation, recipeImplementation, config: Object.freeze({ ...config }), verifySessionReplaced: false };
  }
  if (typeof apis !== "function") throw invalidConfig("override.apis must be a function");
  // Compared with a copy taken before the call, as for `functions`.
  const original = makeOriginal();
  const defaults: APIInterface = { ...original };
  const built = (apis as (o: APIInterface) => unknown)(original) as APIInterface | null | undefined;
  if (built === null || typeof built !== "object") {
    throw invalidConfig("override.apis must return the API implementation (an object)");
  }
  for (const [name, mayBeUndefined] of API_METHODS) {
    const value: unknown = built[name];
    if (typeof value === "function" || (mayBeUndefined && value === undefined)) continue;
    const kind = mayBeUndefined ? "a function or undefined" : "a function";
    throw invalidConfig(`override.apis: ${name} must be ${kind}`);
  }
  return {
    implementation: built,
    recipeImplementation,
    config: Object.freeze({ ...config }),
    verifySessionReplaced: built.verifySession !== defaults.verifySession,
  };
}

/** The request and response of a request-level `Session.createNewSession` call, by the
 * `BaseRequest` that call put in `userContext._default.request`. Keyed by that object, so only
 * a request put there by the call itself makes the default implementation write to a response. */
const requestsOfCalls = new WeakMap<object, { request: RequestAdapter; response: ResponseAdapter | null }>();

/** The caller's `userContext` (a new one when it gave none): supertokens-node's argument rules. */
export function asUserContext(userContext: unknown): UserContext {
  if (userContext === undefined || userContext === null) return {};
  if (typeof userContext !== "object") throw new TypeError("userContext must be an object");
  return userContext as UserContext;
}

/**
 * `userContext` with the request in `_default.request`, as supertokens-node's request-level
 * `createNewSession` passes it on (the caller's object, changed in place). A `_default` that is
 * not an object is replaced: the default implementation must find the request there, or the
 * tokens would not reach the response. `base` is the object put there (an API's `options.req`
 * is the one its `userContext` carries, as in supertokens-node).
 */
export function userContextWithRequest(
  userContext: unknown,
  request: RequestAdapter,
  response: ResponseAdapter | null,
  base: BaseRequest = baseRequest(request),
): UserContext {
  const context = asUserContext(userContext);
  requestsOfCalls.set(base, { request, response });
  let defaults = context._default;
  if (defaults === null || typeof defaults !== "object") {
    defaults = {};
    context._default = defaults;
  }
  (defaults as Record<string, unknown>).request = base;
  return context;
}

/** The request and response `userContextWithRequest` put in `userContext`, if it did. */
export function requestInUserContext(
  userContext: unknown,
): { request: RequestAdapter; response: ResponseAdapter | null } | undefined {
  const request = (userContext as { _default?: { request?: unknown } } | null | undefined)?._default?.request;
  return typeof request === "object" && request !== null ? requestsOfCalls.get(request) : undefined;
}

/**
 * `userContext` carrying the request in `_default.request`, unless it carries one already
 * (supertokens-node's `setRequestInUserContextIfNotDefined`): what the request functions hand
 * the implementation, so that an override can read the request.
 */
export function userContextForRequest(userContext: unknown, request: RequestAdapter, response: ResponseAdapter | null): UserContext {
  const context = asUserContext(userContext);
  const defaults = context._default as { request?: unknown } | null | undefined;
  if (typeof defaults === "object" && defaults !== null && defaults.request !== undefined) return context;
  return userContextWithRequest(context, request, response);
}
