/** `SessionContainer`: the session of a request, as supertokens-node's. */
/* eslint-disable @typescript-eslint/no-explicit-any -- supertokens-node's types, which apps' objects must fit */
import { TesseraError, callAsync, callSync } from "../../error";
import type { Mutations, NativeEngine, NativeSession } from "../../native";
import type { ResponseAdapter } from "../../framework/response";
import { applyMutations, hasMutations } from "../../framework/response";
import type { RequestAdapter } from "../../framework/request";
import { baseRequest } from "../../framework/request";
import { wrapRequest, wrapResponse } from "../../framework/wrap";
import type { BaseRequest } from "../../state";
import { RecipeUserId } from "../../recipeUserId";
import { state } from "../../state";
import type { SessionClaim } from "./claims";
import type { UserContext } from "./errorHandlers";
import type { SessionClaimValidator } from "./recipeInterface";
import { asUserContext } from "./recipeInterface";

/** JSON text of an object argument (`undefined`/`null` for `{}`). */
export function toJson(value: unknown, what: string): string {
  if (value === undefined || value === null) return "{}";
  if (typeof value !== "object" || Array.isArray(value)) throw new TypeError(`${what} must be an object`);
  return JSON.stringify(value);
}

export interface SessionInformation {
  sessionHandle: string;
  userId: string;
  recipeUserId: RecipeUserId;
  sessionDataInDatabase: Record<string, unknown>;
  expiry: number;
  customClaimsInAccessTokenPayload: Record<string, unknown>;
  timeCreated: number;
  tenantId: string;
}

interface NativeInformation {
  session?: { handle?: string; userId?: string; recipeUserId?: string; tenantId?: string };
  sessionDataInDatabase?: Record<string, unknown>;
  customClaimsInAccessTokenPayload?: Record<string, unknown>;
  expiryMs?: number;
  timeCreatedMs?: number;
}

export function sessionInformation(infoJson: string): SessionInformation {
  const info = JSON.parse(infoJson) as NativeInformation;
  const s = info.session ?? {};
  const userId = s.userId ?? "";
  return {
    sessionHandle: s.handle ?? "",
    userId,
    recipeUserId: new RecipeUserId(s.recipeUserId || userId),
    sessionDataInDatabase: info.sessionDataInDatabase ?? {},
    expiry: Number(info.expiryMs ?? 0),
    customClaimsInAccessTokenPayload: info.customClaimsInAccessTokenPayload ?? {},
    timeCreated: Number(info.timeCreatedMs ?? 0),
    tenantId: s.tenantId ?? "public",
  };
}

/** Whether `req` is a `BaseRequest` already (an API's `options.req`, what a `userContext`
 * carries) rather than a framework's request or a `RequestAdapter`. */
function isBaseRequest(req: unknown): req is BaseRequest {
  return typeof (req as BaseRequest | null)?.getHeaderValue === "function";
}

/** The request `attachToRequestResponse` was given, as the session keeps it: a `BaseRequest` as
 * it is, else the framework's request wrapped; null when absent or not one the configured
 * framework wraps (the methods then hand the recipe functions an empty `userContext`, as
 * before the session had a request). */
function requestOf(req: unknown): RequestAdapter | BaseRequest | null {
  if (req === undefined || req === null) return null;
  if (isBaseRequest(req)) return req;
  try {
    return wrapRequest(req);
  } catch {
    return null;
  }
}

const SESSION_GONE = "Session does not exist anymore";

function sessionGone(): TesseraError {
  return new TesseraError({ type: "UNAUTHORISED", message: SESSION_GONE });
}

/**
 * A session's methods, as supertokens-node's `SessionContainerInterface`: what a session object
 * must have. {@link SessionContainer} implements it; an app's `override.functions`
 * `createNewSession` may answer a plain object with these methods instead (the docs' "empty
 * session" that creates nothing), which is handed back to the caller as it is.
 */
export interface SessionContainerInterface {
  revokeSession(userContext?: Record<string, any>): Promise<void>;
  getSessionDataFromDatabase(userContext?: Record<string, any>): Promise<any>;
  updateSessionDataInDatabase(newSessionData: any, userContext?: Record<string, any>): Promise<any>;
  getUserId(userContext?: Record<string, any>): string;
  getRecipeUserId(userContext?: Record<string, any>): RecipeUserId;
  getTenantId(userContext?: Record<string, any>): string;
  getAccessTokenPayload(userContext?: Record<string, any>): any;
  getHandle(userContext?: Record<string, any>): string;
  getAllSessionTokensDangerously(): {
    accessToken: string;
    refreshToken: string | undefined;
    antiCsrfToken: string | undefined;
    frontToken: string;
    accessAndFrontTokenUpdated: boolean;
  };
  getAccessToken(userContext?: Record<string, any>): string;
  mergeIntoAccessTokenPayload(accessTokenPayloadUpdate: any, userContext?: Record<string, any>): Promise<void>;
  getTimeCreated(userContext?: Record<string, any>): Promise<number>;
  getExpiry(userContext?: Record<string, any>): Promise<number>;
  assertClaims(claimValidators: SessionClaimValidator[], userContext?: Record<string, any>): Promise<void>;
  fetchAndSetClaim<T>(claim: SessionClaim<T>, userContext?: Record<string, any>): Promise<void>;
  setClaimValue<T>(claim: SessionClaim<T>, value: T, userContext?: Record<string, any>): Promise<void>;
  getClaimValue<T>(claim: SessionClaim<T>, userContext?: Record<string, any>): Promise<T | undefined>;
  removeClaim(claim: SessionClaim<any>, userContext?: Record<string, any>): Promise<void>;
  attachToRequestResponse(reqResInfo: { req?: unknown; res: unknown; transferMethod: "cookie" | "header" }, userContext?: Record<string, any>): void;
}

/**
 * A verified (or new) session. The getters read the access token and never do I/O; the
 * methods that reach the store return Promises, and go through the recipe implementation
 * where supertokens-node's do (so that `override.functions` runs). Token changes (merge,
 * revoke) are written to the response the session came with at once (Express's response is
 * live); a session without one keeps them in {@link responseMutations}.
 */
export class SessionContainer implements SessionContainerInterface {
  private payload: Record<string, unknown> | undefined;
  private pending: Mutations[] | undefined;
  /** The request as `userContext._default.request` carries it, made on first use. */
  private requestWrapper: BaseRequest | undefined;

  /**
   * @param request the request the session belongs to (supertokens-node's `reqResInfo.req`),
   * when it has one: the methods called without a `userContext` hand the recipe functions one
   * carrying it, so that an override reading `getRequestFromUserContext` sees the request.
   */
  constructor(
    private readonly engine: NativeEngine,
    private native: NativeSession,
    private response: ResponseAdapter | null = null,
    private request: RequestAdapter | BaseRequest | null = null,
  ) {}

  /**
   * The `userContext` a method hands the recipe functions: the caller's, else, for a session of
   * a request, a new one carrying the request in `_default.request` (supertokens-node's
   * `makeDefaultUserContextFromAPI(this.reqResInfo.req)`), else a new empty one.
   */
  private contextFor(userContext: unknown): UserContext {
    if (userContext !== undefined || this.request === null) return asUserContext(userContext);
    this.requestWrapper ??= isBaseRequest(this.request) ? this.request : baseRequest(this.request);
    return { _default: { request: this.requestWrapper } };
  }

  /** The core's session behind this container, for the binding's request functions. */
  nativeSession(): NativeSession {
    return this.native;
  }

  /**
   * Makes this the session of a request whose tokens travel on `transfer`, writing its token
   * changes to `response` from now on (a session the recipe's `getSession` or `refreshSession`
   * made was made without the request). Changes kept so far are dropped: they were for no
   * request, and the caller writes what the request's answer needs.
   */
  rebind(response: ResponseAdapter | null, transfer: "cookie" | "header", request: RequestAdapter | BaseRequest | null = null): void {
    callSync(() => this.native.setTransfer(transfer));
    this.response = response;
    this.pending = undefined;
    this.setRequest(request);
  }

  /**
   * Writes the changes kept so far to `response`, and any later ones as they are made: for a
   * session verified with its response held back until its claims passed (supertokens-node
   * attaches a session to the request only then, so a failing check sends no new tokens).
   */
  releaseTo(response: ResponseAdapter | null): void {
    this.response = response;
    if (response === null || this.pending === undefined) return;
    const kept = this.pending;
    this.pending = undefined;
    for (const mutations of kept) applyMutations(response, mutations);
  }

  private setRequest(request: RequestAdapter | BaseRequest | null): void {
    this.request = request;
    this.requestWrapper = undefined;
  }

  /**
   * supertokens-node's `attachToRequestResponse`: the session now belongs to the request, its
   * tokens travelling on `transferMethod`, and when its access token changed (a `getSession`
   * that regenerated it, a claim check that merged a value) the new tokens are written to `res`.
   * `req` (a `BaseRequest`, or the framework's request) is what the methods called later without
   * a `userContext` put in the one they hand the recipe functions.
   */
  attachToRequestResponse(info: { req?: unknown; res: unknown; transferMethod: "cookie" | "header" }, _userContext?: unknown): void {
    this.rebind(wrapResponse(info.res), info.transferMethod, requestOf(info.req));
    if (this.native.accessTokenUpdated) this.applyMutations(callSync(() => this.engine.attachTokens(this.native)));
  }

  /** Response changes not yet written (no response was given). Made on first use: most
   * sessions never have any, and this is built on every verified request. */
  get responseMutations(): Mutations[] {
    if (this.pending === undefined) this.pending = [];
    return this.pending;
  }

  /** Writes `mutations` to the response, or keeps them. */
  applyMutations(mutations: Mutations | null | undefined): void {
    if (!hasMutations(mutations)) return;
    if (this.response !== null) applyMutations(this.response, mutations);
    else this.responseMutations.push(mutations);
  }

  getAccessToken(_userContext?: unknown): string {
    return this.native.accessToken;
  }

  getUserId(_userContext?: unknown): string {
    return this.native.userId;
  }

  getRecipeUserId(_userContext?: unknown): RecipeUserId {
    return new RecipeUserId(this.native.recipeUserId);
  }

  getTenantId(_userContext?: unknown): string {
    return this.native.tenantId;
  }

  getHandle(_userContext?: unknown): string {
    return this.native.handle;
  }

  /** The access token's payload. Typed `any`, as in supertokens-node: code reads its claims
   * (`payload.role`) without casts. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  getAccessTokenPayload(_userContext?: unknown): any {
    if (this.payload === undefined) this.payload = JSON.parse(this.native.payloadJson) as Record<string, unknown>;
    return this.payload;
  }

  /** Every token of the session; `refreshToken` only after create or refresh. */
  getAllSessionTokensDangerously(): {
    accessToken: string;
    accessAndFrontTokenUpdated: boolean;
    refreshToken: string | undefined;
    frontToken: string;
    antiCsrfToken: string | undefined;
  } {
    const n = this.native;
    return {
      accessToken: n.accessToken,
      accessAndFrontTokenUpdated: n.accessTokenUpdated,
      refreshToken: n.refreshToken ?? undefined,
      frontToken: n.frontToken,
      antiCsrfToken: n.antiCsrfToken ?? undefined,
    };
  }

  private async information(userContext: unknown): Promise<SessionInformation> {
    const sessionHandle = this.native.handle;
    const info = await state().implementation.getSessionInformation({ sessionHandle, userContext: this.contextFor(userContext) });
    if (info === undefined) throw sessionGone();
    return info;
  }

  /** When the session was created (ms since the epoch), from the recipe's `getSessionInformation`.
   * @throws UNAUTHORISED when gone. */
  async getTimeCreated(userContext?: unknown): Promise<number> {
    return (await this.information(userContext)).timeCreated;
  }

  /** When the session (its refresh token) expires (ms since the epoch), from the recipe's
   * `getSessionInformation`. @throws UNAUTHORISED when gone. */
  async getExpiry(userContext?: unknown): Promise<number> {
    return (await this.information(userContext)).expiry;
  }

  /** The session's data in the database, from the recipe's `getSessionInformation`.
   * @throws UNAUTHORISED when gone. */
  async getSessionDataFromDatabase(userContext?: unknown): Promise<Record<string, unknown>> {
    return (await this.information(userContext)).sessionDataInDatabase;
  }

  /** Replaces the session's data in the database through the recipe's
   * `updateSessionDataInDatabase`. @throws UNAUTHORISED when gone. */
  async updateSessionDataInDatabase(newSessionData: Record<string, unknown>, userContext?: unknown): Promise<void> {
    const found = await state().implementation.updateSessionDataInDatabase({
      sessionHandle: this.native.handle,
      newSessionData,
      userContext: this.contextFor(userContext),
    });
    if (!found) throw sessionGone();
  }

  /** Shallow-merges into the access token's payload (`null` deletes a key) and issues a new
   * access token, written to the response. Once `override.functions` replaced
   * `regenerateAccessToken`, the merged payload goes through it (see {@link mergeThroughRegenerate}).
   * @throws UNAUTHORISED when the session is gone. */
  async mergeIntoAccessTokenPayload(accessTokenPayloadUpdate: Record<string, unknown>, userContext?: unknown): Promise<void> {
    if (state().replaced?.regenerateAccessToken === true) {
      return this.mergeThroughRegenerate(accessTokenPayloadUpdate, this.contextFor(userContext));
    }
    const update = toJson(accessTokenPayloadUpdate, "accessTokenPayloadUpdate");
    const result = await callAsync(() => this.engine.mergeIntoAccessTokenPayloadInSession(this.native, update));
    if (result.session !== null && result.session !== undefined) this.native = result.session;
    this.payload = undefined;
    this.applyMutations(result.mutations);
  }

  /**
   * supertokens-node's `mergeIntoAccessTokenPayload`, for an app whose `override.functions`
   * replaced `regenerateAccessToken`: the replacement gets the session's custom payload merged
   * with the update (the core's `merged_custom_payload`: the update's protected props ignored,
   * a null deleting its key), and the token it returns becomes the session's, written to the
   * response as the core's merge writes one. Without a token in its answer (the one given had expired)
   * nothing is written: the client gets the stored payload at its refresh.
   * @throws UNAUTHORISED when it answers undefined (the session is gone); `INVALID_INPUT` when
   * the token it returns is another session's.
   */
  private async mergeThroughRegenerate(accessTokenPayloadUpdate: Record<string, unknown>, userContext: unknown): Promise<void> {
    const update = toJson(accessTokenPayloadUpdate, "accessTokenPayloadUpdate");
    const merged = callSync(() => this.engine.mergedCustomPayload(this.native, update));
    const newAccessTokenPayload = JSON.parse(merged) as Record<string, unknown>;
    // A key the core took from the update keeps the app's own value (not its JSON copy), as
    // supertokens-node hands it on.
    for (const [key, value] of Object.entries(accessTokenPayloadUpdate ?? {})) {
      if (Object.hasOwn(newAccessTokenPayload, key)) newAccessTokenPayload[key] = value;
    }
    const answer = await state().implementation.regenerateAccessToken({
      accessToken: this.getAccessToken(),
      newAccessTokenPayload,
      userContext: asUserContext(userContext),
    });
    if (answer === undefined || answer === null) throw sessionGone();
    const token = answer.accessToken?.token;
    if (token === undefined || token === null) return;
    const result = await callAsync(() => this.engine.adoptAccessToken(this.native, token));
    this.native = result.session;
    this.payload = undefined;
    this.applyMutations(result.mutations);
  }

  // -- claims (protocol §5.4) ------------------------------------------------------------------

  /**
   * Checks the session's claims with `claimValidators` through the recipe's `validateClaims`
   * (whose default fetches the values a validator finds missing or too old, then validates),
   * then merges the payload update it gives into the access token: on a request's session, a
   * new token on the response whether or not the checks pass, as in supertokens-node. (The
   * check `verifySession`/`getSession` make runs before the session is attached to the
   * request, so there a failing check sends no new token: see `common.ts`.)
   * @throws INVALID_CLAIMS with `[{id, reason}]` when a validator fails (answered 403).
   */
  async assertClaims(claimValidators: SessionClaimValidator[], userContext?: UserContext): Promise<void> {
    const ctx = this.contextFor(userContext);
    const { invalidClaims, accessTokenPayloadUpdate } = await state().implementation.validateClaims({
      userId: this.getUserId(),
      recipeUserId: this.getRecipeUserId(),
      accessTokenPayload: this.getAccessTokenPayload(),
      claimValidators,
      userContext: ctx,
    });
    // The core leaves the protected props of an update out of the merge, and out of the
    // payload a merge hands a replaced `regenerateAccessToken`.
    if (accessTokenPayloadUpdate !== undefined) await this.mergeIntoAccessTokenPayload(accessTokenPayloadUpdate, ctx);
    if (invalidClaims.length > 0) {
      // supertokens-node's message for this error, which code may compare.
      throw new TesseraError({ type: "INVALID_CLAIMS", message: "INVALID_CLAIMS", payload: invalidClaims });
    }
  }

  /** Fetches the claim's value and merges it into the access token. */
  async fetchAndSetClaim<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<void> {
    const ctx = this.contextFor(userContext);
    const update = await claim.build(this.getUserId(), this.getRecipeUserId(), this.getTenantId(), this.getAccessTokenPayload(), ctx);
    await this.mergeIntoAccessTokenPayload(update, ctx);
  }

  /** Sets the claim to `value` in the access token. */
  async setClaimValue<T>(claim: SessionClaim<T>, value: T, userContext?: UserContext): Promise<void> {
    const ctx = this.contextFor(userContext);
    await this.mergeIntoAccessTokenPayload(claim.addToPayload_internal({}, value, ctx), ctx);
  }

  /** The claim's value in the access token, if any. */
  async getClaimValue<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<T | undefined> {
    return claim.getValueFromPayload(this.getAccessTokenPayload(), this.contextFor(userContext));
  }

  /** Removes the claim from the access token. */
  async removeClaim<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<void> {
    const ctx = this.contextFor(userContext);
    await this.mergeIntoAccessTokenPayload(claim.removeFromPayloadByMerge_internal({}, ctx), ctx);
  }

  /** Revokes the session through the recipe's `revokeSession`, then clears its tokens from
   * the response whatever that answered: the request's own session is gone either way. */
  async revokeSession(userContext?: unknown): Promise<void> {
    await state().implementation.revokeSession({ sessionHandle: this.native.handle, userContext: this.contextFor(userContext) });
    this.applyMutations(callSync(() => this.engine.clearTokens(this.native)));
  }
}
