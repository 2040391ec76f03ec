/** `SessionContainer`: the session of a request, as supertokens-node's. */
import { TesseraError, callAsync } from "../../error";
import type { Mutations, NativeEngine, NativeSession } from "../../native";
import type { ResponseAdapter } from "../../framework/response";
import { applyMutations, hasMutations } from "../../framework/response";
import { RecipeUserId } from "../../recipeUserId";
import type { SessionClaim } from "./claims";
import type { ClaimValidationError, UserContext } from "./errorHandlers";
import type { SessionClaimValidator } from "./recipeInterface";

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

const SESSION_GONE = "Session does not exist anymore.";

/**
 * A verified (or new) session. The getters read the access token and never do I/O; the
 * methods that reach the store return Promises. Token changes (merge, revoke) are written to
 * the response the session came with at once (Express's response is live); a session without
 * one keeps them in {@link responseMutations}.
 */
export class SessionContainer {
  private payload: Record<string, unknown> | undefined;
  private pending: Mutations[] | undefined;

  constructor(
    private readonly engine: NativeEngine,
    private native: NativeSession,
    private readonly response: ResponseAdapter | null = null,
  ) {}

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

  private async information(): Promise<SessionInformation> {
    const infoJson = await callAsync(() => this.engine.getSessionInformation(this.native.handle));
    if (infoJson === null || infoJson === undefined) {
      throw new TesseraError({ type: "UNAUTHORISED", message: SESSION_GONE });
    }
    return sessionInformation(infoJson);
  }

  /** When the session was created (ms since the epoch). @throws UNAUTHORISED when gone. */
  async getTimeCreated(_userContext?: unknown): Promise<number> {
    return (await this.information()).timeCreated;
  }

  /** When the session (its refresh token) expires (ms since the epoch). @throws UNAUTHORISED when gone. */
  async getExpiry(_userContext?: unknown): Promise<number> {
    return (await this.information()).expiry;
  }

  async getSessionDataFromDatabase(_userContext?: unknown): Promise<Record<string, unknown>> {
    return (await this.information()).sessionDataInDatabase;
  }

  /** Replaces the session's data in the database. @throws UNAUTHORISED when gone. */
  async updateSessionDataInDatabase(newSessionData: Record<string, unknown>, _userContext?: unknown): Promise<void> {
    const data = toJson(newSessionData, "newSessionData");
    const found = await callAsync(() => this.engine.updateSessionDataInDatabase(this.native.handle, data));
    if (!found) throw new TesseraError({ type: "UNAUTHORISED", message: SESSION_GONE });
  }

  /** Shallow-merges into the access token's payload (`null` deletes a key) and issues a new
   * access token, written to the response. */
  async mergeIntoAccessTokenPayload(accessTokenPayloadUpdate: Record<string, unknown>, _userContext?: unknown): Promise<void> {
    const update = toJson(accessTokenPayloadUpdate, "accessTokenPayloadUpdate");
    const result = await callAsync(() => this.engine.mergeIntoAccessTokenPayloadInSession(this.native, update));
    if (result.session !== null && result.session !== undefined) this.native = result.session;
    this.payload = undefined;
    this.applyMutations(result.mutations);
  }

  // -- claims (protocol §5.4) ------------------------------------------------------------------

  /**
   * Checks the access token payload with `claimValidators`, as supertokens-node does: a
   * validator whose claim is missing or too old has its value fetched again first, the
   * fetched values are validated and then merged into the access token (a new token on the
   * response, whether or not the checks pass).
   * @throws INVALID_CLAIMS with `[{id, reason}]` when a validator fails (answered 403).
   */
  async assertClaims(claimValidators: SessionClaimValidator[], userContext?: UserContext): Promise<void> {
    const ctx = userContext ?? {};
    let payload = this.getAccessTokenPayload();
    const update: Record<string, unknown> = {};
    for (const validator of claimValidators) {
      const claim = validator.claim;
      if (claim === undefined || validator.shouldRefetch === undefined) continue;
      if (!(await validator.shouldRefetch(payload, ctx))) continue;
      const value = await claim.fetchValue(this.getUserId(), this.getRecipeUserId(), this.getTenantId(), payload, ctx);
      if (value !== undefined) {
        payload = claim.addToPayload_internal(payload, value, ctx);
        update[claim.key] = payload[claim.key];
      }
    }
    const failures: ClaimValidationError[] = [];
    for (const validator of claimValidators) {
      const result = await validator.validate(payload, ctx);
      if (!result.isValid) failures.push({ id: validator.id, reason: result.reason });
    }
    if (Object.keys(update).length > 0) await this.mergeIntoAccessTokenPayload(update, ctx);
    if (failures.length > 0) {
      throw new TesseraError({ type: "INVALID_CLAIMS", message: "invalid claim", payload: failures });
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

  /** Revokes the session and clears its tokens from the response. */
  async revokeSession(_userContext?: unknown): Promise<void> {
    const mutations = await callAsync(() => this.engine.revokeSessionInRequest(this.native));
    this.applyMutations(mutations);
  }
}
