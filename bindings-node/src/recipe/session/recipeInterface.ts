/**
 * `Session.init({ override })`: supertokens-node's `RecipeInterface` and `APIInterface`, the
 * check that keeps an app's `override.functions` to what Tessera runs through it, and the check
 * of its `override.apis`.
 *
 * Only `createNewSession` goes through the implementation the app builds (the request-level
 * `Session.createNewSession` and `createNewSessionWithoutRequestResponse` call it). Every other
 * session function calls the core directly, so an override of one of them would be skipped
 * without a word: init refuses it instead.
 *
 * The `APIInterface` the app builds is used whole: with `override.apis`, the refresh and
 * sign-out endpoints are served through its `refreshPOST` and `signOutPOST` (see
 * `framework/api.ts`), and a replaced `verifySession` runs for every route a framework's
 * `verifySession()` protects.
 */
import { TesseraError } from "../../error";
import type { RequestAdapter } from "../../framework/request";
import { baseRequest } from "../../framework/request";
import type { ResponseAdapter } from "../../framework/response";
import type { RecipeUserId } from "../../recipeUserId";
import type { BaseRequest } from "../../state";
import type { VerifySessionOptions } from "./common";
import type { BaseResponse, ClaimValidationError, UserContext } from "./errorHandlers";
import type { SessionContainer, SessionInformation } from "./sessionContainer";

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
 * `override.functions` is given and returns. Tessera runs `createNewSession` through it (see
 * the module comment); the claim functions and `regenerateAccessToken` reject with
 * `NOT_SUPPORTED`.
 */
export type RecipeInterface = {
  /** Creates a session. In a request-level `Session.createNewSession`, `userContext._default.request`
   * is the request, and the default writes the tokens to its response; elsewhere the session is
   * made without a request (honouring `disableAntiCsrf`). */
  createNewSession(input: {
    userId: string;
    recipeUserId: RecipeUserId;
    accessTokenPayload?: any;
    sessionDataInDatabase?: any;
    disableAntiCsrf?: boolean;
    tenantId: string;
    userContext: UserContext;
  }): Promise<SessionContainer>;
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
  /** Given the default implementation, returns the one to use. Only `createNewSession` may
   * differ from the default's. */
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

/** The one method Tessera calls through the app's implementation. */
const OVERRIDABLE = "createNewSession";

function invalidConfig(message: string): TesseraError {
  return new TesseraError({ type: "INVALID_CONFIG", message });
}

/**
 * The implementation `Session.init`'s `override` builds from the default one (made by
 * `makeOriginal`), or undefined when it builds none (so that the session functions keep their
 * direct path). `override.functions` is called here, once.
 *
 * @throws TesseraError `NOT_SUPPORTED` for an implementation whose methods other than
 * `createNewSession` are not the default's; `INVALID_CONFIG` for a value of the wrong kind.
 */
export function overrideImplementation(makeOriginal: () => RecipeInterface, override: unknown): RecipeInterface | undefined {
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
  const changed = METHOD_NAMES.filter((name) => name !== OVERRIDABLE && built[name] !== defaults[name]);
  if (changed.length > 0) {
    throw new TesseraError({
      type: "NOT_SUPPORTED",
      message: `override.functions changes ${changed.join(", ")}: only createNewSession can be overridden by Tessera yet`,
    });
  }
  if (typeof built.createNewSession !== "function") throw invalidConfig("override.functions: createNewSession must be a function");
  return built;
}

/** The `APIInterface` methods, and whether each may be `undefined` (an endpoint left to the app). */
const API_METHODS = [
  ["refreshPOST", true],
  ["signOutPOST", true],
  ["verifySession", false],
] as const satisfies readonly (readonly [keyof APIInterface, boolean])[];

/**
 * What `Session.init`'s `override.apis` builds from Tessera's `APIInterface` (made by
 * `makeOriginal`), or undefined without `override.apis` (so that the endpoints and routes keep
 * the core's direct path). `override.apis` is called here, once. `override` was checked by
 * {@link overrideImplementation}; `recipeImplementation` makes `APIOptions.recipeImplementation`.
 *
 * @throws TesseraError `INVALID_CONFIG` when `override.apis` is not a function, returns no
 * object, or gives `refreshPOST` or `signOutPOST` that is neither a function nor undefined, or
 * a `verifySession` that is not a function (supertokens-node calls it for every protected
 * route, so a missing one would fail each of them rather than init).
 */
export function overrideApis(
  makeOriginal: () => APIInterface,
  override: unknown,
  recipeImplementation: () => RecipeInterface,
  config: Record<string, unknown>,
): InstalledApis | undefined {
  const apis = (override as { apis?: unknown } | null | undefined)?.apis;
  if (apis === undefined) return undefined;
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
    recipeImplementation: recipeImplementation(),
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
