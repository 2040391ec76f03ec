/**
 * The session recipe's default implementation: supertokens-node's `RecipeInterface` over the
 * core. Every public session function and every `SessionContainer` method that supertokens-node
 * routes through the recipe implementation goes through the one installed (`state().implementation`:
 * what `override.functions` built, else this), so that an app's override runs wherever
 * supertokens-node's would.
 *
 * Functions whose supertokens-node default calls another function of the implementation (the
 * claim functions by session handle, `validateClaims`) call it on the installed implementation,
 * as supertokens-node's defaults call it on the implementation after overrides: an override of
 * `getSessionInformation` is seen by the default `fetchAndSetClaim`.
 */
import { TesseraError, callAsync, fromNative } from "../../error";
import type { Mutations, NativeEngine, NativeSession } from "../../native";
import type { RequestAdapter } from "../../framework/request";
import { nativeRequest } from "../../framework/request";
import { RecipeUserId, recipeUserIdString } from "../../recipeUserId";
import { engine, state } from "../../state";
import type { VerifySessionOptions } from "./common";
import type { ClaimValidationError, UserContext } from "./errorHandlers";
import type { RecipeInterface } from "./recipeInterface";
import { requestInUserContext } from "./recipeInterface";
import { SessionContainer, sessionInformation, toJson } from "./sessionContainer";

/* eslint-disable @typescript-eslint/no-explicit-any -- payloads are `any` in supertokens-node's types */

/** The tenant a payload belongs to: its `tId`, or the default tenant for tokens without one. */
const DEFAULT_TENANT_ID = "public";

/** The native request-level create; the caller attaches what it returns to the response. */
export function createInRequest(
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
export function createWithoutRequest(
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

export function requireSession<T>(session: T | null | undefined): T {
  if (session === null || session === undefined) {
    throw new TesseraError({ type: "INTERNAL", message: "the native module returned no session" });
  }
  return session;
}

/** `session` with `mutations` written to its response (or kept, without one). */
export function attach(session: SessionContainer, mutations: Mutations | null | undefined): SessionContainer {
  session.applyMutations(mutations);
  return session;
}

/**
 * The core's `getSessionWithoutRequestResponse`: inline when it can answer without I/O (a known
 * key, no `checkDatabase`), else off the event loop. No claims are checked here: the callers
 * check them through the installed implementation.
 */
export async function verifyAccessToken(
  accessToken: string,
  antiCsrfToken: string | undefined,
  options: VerifySessionOptions | undefined,
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
    native = await callAsync(() => e.getSessionWithoutRequestResponse(accessToken, csrf, required, antiCsrf, checkDatabase));
  }
  return native === null || native === undefined ? undefined : new SessionContainer(e, native);
}

/** The native tenant argument: `null` means every tenant. As in supertokens-node, leaving
 * `tenantId` out means every tenant unless `acrossAllTenants` says otherwise. */
function tenantScope(tenantId: string | undefined, acrossAllTenants: boolean | undefined): string | null {
  const across = acrossAllTenants ?? tenantId === undefined;
  return across ? null : (tenantId ?? DEFAULT_TENANT_ID);
}

/** What the default `regenerateAccessToken` resolves to for a session that exists. */
type Regenerated = NonNullable<Awaited<ReturnType<RecipeInterface["regenerateAccessToken"]>>>;

/** The core's regenerate answer (JSON text) in supertokens-node's shape. */
function regenerated(answerJson: string): Regenerated {
  const answer = JSON.parse(answerJson) as {
    session: { handle: string; userId: string; recipeUserId: string; tenantId: string; userDataInJWT: any };
    accessToken?: { token: string; expiry: number; createdTime: number };
  };
  const s = answer.session;
  return {
    status: "OK",
    session: {
      handle: s.handle,
      userId: s.userId,
      recipeUserId: new RecipeUserId(s.recipeUserId),
      userDataInJWT: s.userDataInJWT,
      tenantId: s.tenantId,
    },
    accessToken: answer.accessToken,
  };
}

/** The implementation the recipe uses now (supertokens-node's `getRecipeImplAfterOverrides`). */
function installed(): RecipeInterface {
  return state().implementation;
}

/**
 * The implementation `override.functions` is given, and the one used without it: the core's
 * functions behind supertokens-node's `RecipeInterface`. A new object per call, so that an app
 * that changes it in place changes only its own.
 */
export function originalImplementation(): RecipeInterface {
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
        return attach(new SessionContainer(e, requireSession(result.session), call.response, call.request), result.mutations);
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
    // Tessera has no other recipe adding validators: the global ones are those given.
    getGlobalClaimValidators: async function ({ claimValidatorsAddedByOtherRecipes }) {
      return claimValidatorsAddedByOtherRecipes;
    },
    getSession: async function ({ accessToken, antiCsrfToken, options }) {
      if (accessToken === undefined) {
        if (options?.sessionRequired === false) return undefined;
        // Not cleared: another tab may be refreshing them (supertokens-node issue 17).
        throw new TesseraError({
          type: "UNAUTHORISED",
          message:
            "Session does not exist. Are you sending the session tokens in the request with the appropriate token transfer method?",
          clearTokens: false,
        });
      }
      return verifyAccessToken(accessToken, antiCsrfToken, options);
    },
    refreshSession: async function ({ refreshToken, antiCsrfToken, disableAntiCsrf }) {
      const e = engine();
      const native = await callAsync(() =>
        e.refreshSessionWithoutRequestResponse(refreshToken, Boolean(disableAntiCsrf), antiCsrfToken ?? null),
      );
      return new SessionContainer(e, native);
    },
    getSessionInformation: async function ({ sessionHandle }) {
      const e = engine();
      const info = await callAsync(() => e.getSessionInformation(sessionHandle));
      return info === null || info === undefined ? undefined : sessionInformation(info);
    },
    // Tessera has no account linking: `revokeSessionsForLinkedAccounts` changes nothing.
    revokeAllSessionsForUser: async function ({ userId, tenantId, revokeAcrossAllTenants }) {
      const e = engine();
      return callAsync(() => e.revokeAllSessionsForUser(userId, tenantScope(tenantId, revokeAcrossAllTenants)));
    },
    getAllSessionHandlesForUser: async function ({ userId, tenantId, fetchAcrossAllTenants }) {
      const e = engine();
      return callAsync(() => e.getAllSessionHandlesForUser(userId, tenantScope(tenantId, fetchAcrossAllTenants)));
    },
    revokeSession: async function ({ sessionHandle }) {
      const e = engine();
      return callAsync(() => e.revokeSession(sessionHandle));
    },
    revokeMultipleSessions: async function ({ sessionHandles }) {
      const e = engine();
      return callAsync(() => e.revokeMultipleSessions([...sessionHandles]));
    },
    updateSessionDataInDatabase: async function ({ sessionHandle, newSessionData }) {
      const e = engine();
      const data = toJson(newSessionData, "newSessionData");
      return callAsync(() => e.updateSessionDataInDatabase(sessionHandle, data));
    },
    // The core drops protected props from the update and deletes keys set to null.
    mergeIntoAccessTokenPayload: async function ({ sessionHandle, accessTokenPayloadUpdate }) {
      const e = engine();
      const update = toJson(accessTokenPayloadUpdate, "accessTokenPayloadUpdate");
      return callAsync(() => e.mergeIntoAccessTokenPayload(sessionHandle, update));
    },
    // As supertokens-node: a null or missing payload is `{}`, the answer's `accessToken` is
    // undefined when the given token had expired, and a session that is gone is undefined.
    regenerateAccessToken: async function ({ accessToken, newAccessTokenPayload }) {
      const e = engine();
      const payload = toJson(newAccessTokenPayload, "newAccessTokenPayload");
      const answer = await callAsync(() => e.regenerateAccessToken(accessToken, payload));
      if (answer === null || answer === undefined) return undefined;
      return regenerated(answer);
    },
    validateClaims: async function ({ userId, recipeUserId, accessTokenPayload, claimValidators, userContext }) {
      let payload: Record<string, any> = accessTokenPayload;
      const before = JSON.stringify(payload);
      for (const validator of claimValidators) {
        const claim = validator.claim;
        if (claim === undefined || validator.shouldRefetch === undefined) continue;
        if (!(await validator.shouldRefetch(payload, userContext))) continue;
        const tenantId = typeof payload.tId === "string" ? payload.tId : DEFAULT_TENANT_ID;
        const value = await claim.fetchValue(userId, recipeUserId, tenantId, payload, userContext);
        if (value !== undefined) payload = claim.addToPayload_internal(payload, value, userContext);
      }
      const invalidClaims: ClaimValidationError[] = [];
      for (const validator of claimValidators) {
        const result = await validator.validate(payload, userContext);
        if (!result.isValid) invalidClaims.push({ id: validator.id, reason: result.reason });
      }
      // The whole payload, as supertokens-node gives it; merging it changes only what was fetched.
      return { invalidClaims, accessTokenPayloadUpdate: JSON.stringify(payload) === before ? undefined : payload };
    },
    fetchAndSetClaim: async function ({ sessionHandle, claim, userContext }) {
      const impl = installed();
      const info = await impl.getSessionInformation({ sessionHandle, userContext });
      if (info === undefined) return false;
      const accessTokenPayloadUpdate = await claim.build(
        info.userId,
        info.recipeUserId,
        info.tenantId,
        info.customClaimsInAccessTokenPayload,
        userContext,
      );
      return impl.mergeIntoAccessTokenPayload({ sessionHandle, accessTokenPayloadUpdate, userContext });
    },
    setClaimValue: async function ({ sessionHandle, claim, value, userContext }) {
      const accessTokenPayloadUpdate = claim.addToPayload_internal({}, value, userContext);
      return installed().mergeIntoAccessTokenPayload({ sessionHandle, accessTokenPayloadUpdate, userContext });
    },
    getClaimValue: async function ({ sessionHandle, claim, userContext }) {
      const info = await installed().getSessionInformation({ sessionHandle, userContext });
      if (info === undefined) return { status: "SESSION_DOES_NOT_EXIST_ERROR" };
      return { status: "OK", value: claim.getValueFromPayload(info.customClaimsInAccessTokenPayload, userContext) };
    },
    removeClaim: async function ({ sessionHandle, claim, userContext }) {
      const accessTokenPayloadUpdate = claim.removeFromPayloadByMerge_internal({}, userContext);
      return installed().mergeIntoAccessTokenPayload({ sessionHandle, accessTokenPayloadUpdate, userContext });
    },
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** `recipeUserId` as the `RecipeUserId` the implementation's inputs carry. */
export function asRecipeUserId(recipeUserId: RecipeUserId | string): RecipeUserId {
  return recipeUserId instanceof RecipeUserId ? recipeUserId : new RecipeUserId(recipeUserIdString(recipeUserId));
}
