/** `SessionContainer`: the session of a request, as supertokens-node's. */
import { TesseraError, callAsync, callSync } from "../../error";
import type { Mutations, NativeEngine, NativeSession } from "../../native";
import type { ResponseAdapter } from "../../framework/response";
import { applyMutations, hasMutations } from "../../framework/response";
import { wrapResponse } from "../../framework/wrap";
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

const SESSION_GONE = "Session does not exist anymore";

function sessionGone(): TesseraError {
  return new TesseraError({ type: "UNAUTHORISED", message: SESSION_GONE });
}

/**
 * A verified (or new) session. The getters read the access token and never do I/O; the
 * methods that reach the store return Promises, and go through the recipe implementation
 * where supertokens-node's do (so that `override.functions` runs). Token changes (merge,
 * revoke) are written to the response the session came with at once (Express's response is
 * live); a session without one keeps them in {@link responseMutations}.
 */
export class SessionContainer {
  private payload: Record<string, unknown> | undefined;
  private pending: Mutations[] | undefined;

  constructor(
    private readonly engine: NativeEngine,
    private native: NativeSession,
    private response: ResponseAdapter | null = null,
  ) {}

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
  rebind(response: ResponseAdapter | null, transfer: "cookie" | "header"): void {
    callSync(() => this.native.setTransfer(transfer));
    this.response = response;
    this.pending = undefined;
  }

  /**
   * supertokens-node's `attachToRequestResponse`: the session now belongs to the request, its
   * tokens travelling on `transferMethod`, and when its access token changed (a `getSession`
   * that regenerated it) the new tokens are written to `res`.
   */
  attachToRequestResponse(info: { req?: unknown; res: unknown; transferMethod: "cookie" | "header" }, _userContext?: unknown): void {
    this.rebind(wrapResponse(info.res), info.transferMethod);
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

  getAccessTokenPayload(_userContext?: unknown): Record<string, unknown> {
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
    const info = await state().implementation.getSessionInformation({ sessionHandle, userContext: asUserContext(userContext) });
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
      userContext: asUserContext(userContext),
    });
    if (!found) throw sessionGone();
  }

  /** Shallow-merges into the access token's payload (`null` deletes a key) and issues a new
   * access token, written to the response. Once `override.functions` replaced
   * `regenerateAccessToken`, the merged payload goes through it (see {@link mergeThroughRegenerate}).
   * @throws UNAUTHORISED when the session is gone. */
  async mergeIntoAccessTokenPayload(accessTokenPayloadUpdate: Record<string, unknown>, userContext?: unknown): Promise<void> {
    if (state().replaced?.regenerateAccessToken === true) {
      return this.mergeThroughRegenerate(accessTokenPayloadUpdate, userContext);
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
   * then merges the payload update it gives into the access token (a new token on the
   * response, whether or not the checks pass).
   * @throws INVALID_CLAIMS with `[{id, reason}]` when a validator fails (answered 403).
   */
  async assertClaims(claimValidators: SessionClaimValidator[], userContext?: UserContext): Promise<void> {
    const ctx = asUserContext(userContext);
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
      throw new TesseraError({ type: "INVALID_CLAIMS", message: "invalid claim", payload: invalidClaims });
    }
  }

  /** Fetches the claim's value and merges it into the access token. */
  async fetchAndSetClaim<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<void> {
    const ctx = userContext ?? {};
    const update = await claim.build(this.getUserId(), this.getRecipeUserId(), this.getTenantId(), this.getAccessTokenPayload(), ctx);
    await this.mergeIntoAccessTokenPayload(update, ctx);
  }

  /** Sets the claim to `value` in the access token. */
  async setClaimValue<T>(claim: SessionClaim<T>, value: T, userContext?: UserContext): Promise<void> {
    const ctx = userContext ?? {};
    await this.mergeIntoAccessTokenPayload(claim.addToPayload_internal({}, value, ctx), ctx);
  }

  /** The claim's value in the access token, if any. */
  async getClaimValue<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<T | undefined> {
    return claim.getValueFromPayload(this.getAccessTokenPayload(), userContext ?? {});
  }

  /** Removes the claim from the access token. */
  async removeClaim<T>(claim: SessionClaim<T>, userContext?: UserContext): Promise<void> {
    const ctx = userContext ?? {};
    await this.mergeIntoAccessTokenPayload(claim.removeFromPayloadByMerge_internal({}, ctx), ctx);
  }

  /** Revokes the session through the recipe's `revokeSession`, then clears its tokens from
   * the response whatever that answered: the request's own session is gone either way. */
  async revokeSession(userContext?: unknown): Promise<void> {
    await state().implementation.revokeSession({ sessionHandle: this.native.handle, userContext: asUserContext(userContext) });
    this.applyMutations(callSync(() => this.engine.clearTokens(this.native)));
  }
}
