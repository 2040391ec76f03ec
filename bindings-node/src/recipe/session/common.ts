/** What the session functions and the framework integrations share. Every decision is the core's. */
import { TesseraError, callAsync, callSync, fromNative } from "../../error";
import type { Mutations, NativeEngine, NativeSession, SessionWithMutations } from "../../native";
import type { RequestAdapter } from "../../framework/request";
import { baseRequest, nativeRequest } from "../../framework/request";
import type { ResponseAdapter } from "../../framework/response";
import { applyMutations } from "../../framework/response";
import { state } from "../../state";
import { apiCall } from "./apiOptions";
import { handlerCall, runHandler } from "./errorHandlers";
import type { UserContext } from "./errorHandlers";
import { attach, requireSession } from "./implementation";
import type { InstalledApis, RecipeInterface, SessionClaimValidator } from "./recipeInterface";
import { userContextForRequest } from "./recipeInterface";
import { SessionContainer } from "./sessionContainer";

export interface VerifySessionOptions {
  antiCsrfCheck?: boolean;
  sessionRequired?: boolean;
  checkDatabase?: boolean;
  overrideGlobalClaimValidators?: (
    globalClaimValidators: SessionClaimValidator[],
    session: SessionContainer,
    userContext: UserContext,
  ) => Promise<SessionClaimValidator[]> | SessionClaimValidator[];
}

/** A native result that may be a session, `{session, mutations}`, or nothing. */
export function splitResult(result: unknown): SessionWithMutations {
  if (result === null || result === undefined) return { session: null, mutations: null };
  const r = result as Partial<SessionWithMutations>;
  // The addon's VerifyResult (what verifySession returns when the response must change) has
  // both fields already: kept as it is. A session alone (the usual answer) has neither.
  if (r.session !== undefined && r.mutations !== undefined) return r as SessionWithMutations;
  if ("session" in r || "mutations" in r) return { session: r.session ?? null, mutations: r.mutations ?? null };
  return { session: result as NativeSession, mutations: null };
}

type NativeRequest = ReturnType<typeof nativeRequest>;

/** The arguments of the native `verifySession` and `verifySessionAsync` (the same list).
 * `apiRules`: the `verifySession` API's (a route's guard: OPTIONS and TRACE requests have no
 * session, a POST to the refresh path is refreshed); false: `Session.getSession`'s, which
 * verifies what the request carries whatever its method and path, as supertokens-node's. */
function verifyArgs(
  [method, path, headers, transfer]: NativeRequest,
  options: VerifySessionOptions | undefined,
  apiRules: boolean,
): Parameters<NativeEngine["verifySession"]> {
  return [
    method,
    path,
    headers,
    options?.sessionRequired ?? true,
    options?.antiCsrfCheck,
    options?.checkDatabase ?? false,
    null,
    transfer,
    apiRules,
  ];
}

/** The native `verifySession` on the calling thread, or null when the core needs I/O (the
 * store or a key fetch) to answer. */
function verifyInline(
  engine: NativeEngine,
  request: NativeRequest,
  options: VerifySessionOptions | undefined,
  apiRules: boolean,
): SessionWithMutations | null {
  try {
    return splitResult(engine.verifySession(...verifyArgs(request, options, apiRules)));
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code !== "WOULD_BLOCK") throw fromNative(err);
    return null;
  }
}

/** The native `verifySession`'s async twin, which may do I/O off the event loop. */
async function verifyOffLoop(
  engine: NativeEngine,
  request: NativeRequest,
  options: VerifySessionOptions | undefined,
  apiRules: boolean,
): Promise<SessionWithMutations> {
  try {
    return splitResult(await engine.verifySessionAsync(...verifyArgs(request, options, apiRules)));
  } catch (err) {
    throw fromNative(err);
  }
}

/**
 * Checks the claims supertokens-node checks on every session it verifies: the implementation's
 * `getGlobalClaimValidators` (given no validators of other recipes: Tessera has none), then
 * `overrideGlobalClaimValidators` when given, run by {@link SessionContainer.assertClaims}.
 */
export async function assertRequiredClaims(
  session: SessionContainer,
  overrideGlobalClaimValidators: VerifySessionOptions["overrideGlobalClaimValidators"],
  userContext: UserContext,
): Promise<void> {
  const globalValidators = await state().implementation.getGlobalClaimValidators({
    tenantId: session.getTenantId(),
    userId: session.getUserId(),
    recipeUserId: session.getRecipeUserId(),
    claimValidatorsAddedByOtherRecipes: [],
    userContext,
  });
  const validators =
    overrideGlobalClaimValidators === undefined
      ? globalValidators
      : await overrideGlobalClaimValidators(globalValidators, session, userContext);
  await session.assertClaims(validators, userContext);
}

/**
 * The session of a verification of `request`, with its response changes written to `response`;
 * with `holdBack`, a session's changes are kept by the session instead, for
 * {@link SessionContainer.releaseTo} to write once its claims passed (a request without a
 * session gets its changes at once either way).
 */
function sessionOf(
  engine: NativeEngine,
  { session, mutations }: SessionWithMutations,
  request: RequestAdapter,
  response: ResponseAdapter | null,
  holdBack = false,
): SessionContainer | undefined {
  if (session === null) {
    if (response !== null) applyMutations(response, mutations);
    return undefined;
  }
  const container = new SessionContainer(engine, session, holdBack ? null : response, request);
  container.applyMutations(mutations);
  return container;
}

/**
 * Refreshes the request's session, writing the new tokens to `response`. With a `refreshSession`
 * from `override.functions`, the request's refresh token goes to it, as supertokens-node's
 * `refreshSessionInRequest` hands it, and the session it returns is answered as the core
 * answers its own; else the core refreshes the request directly.
 * @throws TesseraError `UNAUTHORISED`, `TOKEN_THEFT_DETECTED`, `CLEAR_DUPLICATE_SESSION_COOKIES`.
 */
export async function refreshInRequest(
  request: RequestAdapter,
  response: ResponseAdapter | null,
  userContext?: unknown,
): Promise<SessionContainer> {
  const { engine: e, implementation, replaced } = state();
  if (replaced?.refreshSession !== true) {
    const [method, path, headers, transfer] = nativeRequest(request);
    const result = await callAsync(() => e.refreshSession(method, path, headers, transfer));
    return attach(new SessionContainer(e, requireSession(result.session), response, request), result.mutations);
  }
  const ctx = userContextForRequest(userContext, request, response);
  const args = nativeRequest(request, false, ctx);
  const input = callSync(() => e.refreshRequestInput(...args));
  const session = await implementation.refreshSession({
    refreshToken: input.refreshToken,
    antiCsrfToken: input.antiCsrfToken ?? undefined,
    disableAntiCsrf: input.disableAntiCsrf,
    userContext: ctx,
  });
  const container = ownSession(session, "refreshSession");
  container.rebind(response, input.transfer, request);
  container.applyMutations(callSync(() => e.refreshedSessionResponse(...args, container.nativeSession())));
  return container;
}

/** `session` when it is one of Tessera's: only those carry the core's tokens to answer with. */
function ownSession(session: unknown, name: keyof RecipeInterface): SessionContainer {
  if (session instanceof SessionContainer) return session;
  throw new TesseraError({
    type: "INTERNAL",
    message: `override.functions: ${name} must return the SessionContainer Tessera's ${name} gives (or a subclass of it)`,
  });
}

/**
 * supertokens-node's `getSessionFromRequest` for an app whose `override.functions` replaced
 * `getSession`: what the request carries, read by the core as it reads it for itself, is handed
 * to the implementation's `getSession`; the session it returns has its claims checked, then is
 * attached to the request. In that order, as in supertokens-node: a value the check refetched
 * is merged (the store has it) but a failing check sends no new tokens with its 403, while a
 * passing one sends the merged token on the request's transport (attaching writes the tokens
 * of a session whose access token changed).
 */
async function getSessionFromRequest(
  engine: NativeEngine,
  request: RequestAdapter,
  response: ResponseAdapter | null,
  options: VerifySessionOptions | undefined,
  userContext: UserContext,
): Promise<SessionContainer | undefined> {
  const [method, path, headers, transfer] = nativeRequest(request, false, userContext);
  const input = callSync(() => engine.sessionRequestInput(method, path, headers, options?.antiCsrfCheck, transfer));
  const session = await state().implementation.getSession({
    accessToken: input.accessToken ?? undefined,
    antiCsrfToken: input.antiCsrfToken ?? undefined,
    options: { ...options, antiCsrfCheck: input.antiCsrfCheck },
    userContext,
  });
  if (session === undefined) return undefined;
  await assertRequiredClaims(session, options?.overrideGlobalClaimValidators, userContext);
  session.attachToRequestResponse({ req: baseRequest(request), res: response, transferMethod: input.transfer }, userContext);
  return session;
}

/**
 * Verification through the recipe implementation, for an app whose `override.functions`
 * replaced `getSession`, `getGlobalClaimValidators` or `validateClaims`, or a call with
 * `overrideGlobalClaimValidators`: with `apiRules`, as supertokens-node's `verifySession` API,
 * OPTIONS and TRACE requests have no session and a POST to the refresh endpoint is refreshed;
 * any other request (every request, for `Session.getSession`) gets its session from
 * `getSession` (the core's when not replaced), whose claims are then checked.
 */
async function verifyThroughImplementation(
  engine: NativeEngine,
  request: RequestAdapter,
  response: ResponseAdapter | null,
  options: VerifySessionOptions | undefined,
  userContext: unknown,
  apiRules: boolean,
): Promise<SessionContainer | undefined> {
  const method = request.method().toLowerCase();
  if (apiRules && (method === "options" || method === "trace")) return undefined;
  const ctx = userContextForRequest(userContext, request, response);
  if (apiRules && callSync(() => engine.apiEndpoint(method, request.path())) === "refresh") return refreshInRequest(request, response, ctx);
  if (state().replaced?.getSession === true) return getSessionFromRequest(engine, request, response, options, ctx);
  const args = nativeRequest(request, false, ctx);
  const verified = verifyInline(engine, args, options, apiRules) ?? (await verifyOffLoop(engine, args, options, apiRules));
  // The session's response changes (the verification's, and the token of a payload update the
  // claim check merges) are held back until the check passed: supertokens-node attaches the
  // session to the request after its claims, so a failing check answers 403 without new tokens.
  const session = sessionOf(engine, verified, request, response, true);
  if (session === undefined) return undefined;
  await assertRequiredClaims(session, options?.overrideGlobalClaimValidators, ctx);
  session.releaseTo(response);
  return session;
}

/**
 * Verifies the request's session, writing any response changes to `response`. Returns the
 * session itself when the core answers without I/O and nothing of the app's is to run (no claim
 * validators, no replaced `getSession`: the usual case), else a Promise of it: an integration
 * that can go on synchronously then spends no Promise and no turn of the microtask queue on a
 * verified request. Throws, or rejects, with the session error. `apiRules` (default): the
 * `verifySession` API's rules, for a route's guard; false: `Session.getSession`'s (see
 * `verifyArgs`).
 */
export function verifyRequestNow(
  engine: NativeEngine,
  request: RequestAdapter,
  response: ResponseAdapter | null,
  options: VerifySessionOptions | undefined,
  userContext?: unknown,
  apiRules = true,
): SessionContainer | undefined | Promise<SessionContainer | undefined> {
  if (options?.overrideGlobalClaimValidators !== undefined || state().replaced?.verify === true) {
    return verifyThroughImplementation(engine, request, response, options, userContext, apiRules);
  }
  const args = nativeRequest(request);
  const result = verifyInline(engine, args, options, apiRules);
  if (result === null) return verifyOffLoop(engine, args, options, apiRules).then((r) => sessionOf(engine, r, request, response));
  return sessionOf(engine, result, request, response);
}

/**
 * The verification of a framework's `verifySession()` (and NestJS's `AuthGuard`): the app's
 * `override.apis` `verifySession` when it replaced Tessera's, as supertokens-node's
 * middlewares call `apiImpl.verifySession`; else {@link verifyRequestNow}, after one check of a
 * field and with nothing allocated, so that routes cost what they cost without overrides.
 */
export function verifyRoute(
  request: RequestAdapter,
  response: ResponseAdapter,
  options: VerifySessionOptions | undefined,
): SessionContainer | undefined | Promise<SessionContainer | undefined> {
  const { engine, apis } = state();
  if (apis === undefined || !apis.verifySessionReplaced) return verifyRequestNow(engine, request, response, options);
  return verifyThroughApi(apis, request, response, options);
}

/** Async, so that whatever the app's function does (throw, return a value rather than a
 * Promise) reaches the integration as a Promise. */
async function verifyThroughApi(
  apis: InstalledApis,
  request: RequestAdapter,
  response: ResponseAdapter,
  verifySessionOptions: VerifySessionOptions | undefined,
): Promise<SessionContainer | undefined> {
  const { options, userContext } = apiCall(apis, request, response);
  return apis.implementation.verifySession({ verifySessionOptions, options, userContext });
}

/** Verifies the request's session, writing any response changes to `response`: by default
 * as `Session.getSession` (whatever the request's method and path), with `apiRules` as the
 * `verifySession` API (see {@link verifyRequestNow}). */
export async function verifyRequest(
  engine: NativeEngine,
  request: RequestAdapter,
  response: ResponseAdapter | null,
  options: VerifySessionOptions | undefined,
  userContext?: unknown,
  apiRules = false,
): Promise<SessionContainer | undefined> {
  return verifyRequestNow(engine, request, response, options, userContext, apiRules);
}

/**
 * The answer to a session error for this request: the core's (status, body, cleared tokens),
 * or, when the app gave `Session.init` a handler for the error, the core's prelude (the
 * cleared tokens) followed by what the handler wrote. Only the handler's answer is a Promise,
 * so that integrations send the core's answer at once, as before handlers existed.
 * @throws TesseraError (or rejects with whatever the handler throws).
 */
export function errorAnswer(engine: NativeEngine, request: RequestAdapter, error: TesseraError): Mutations | Promise<Mutations> {
  const handlers = state().errorHandlers;
  const call = handlers === undefined ? undefined : handlerCall(handlers, error);
  const [method, path, headers, transfer] = nativeRequest(request);
  const args = [method, path, headers, error.type, error.message, error.payloadJson(), error.clearTokens, transfer] as const;
  if (call === undefined) return callSync(() => engine.errorResponse(...args));
  return runHandler(call, baseRequest(request), callSync(() => engine.errorResponse(...args, true)));
}

/** `answer` given to `use` now when it is ready, else once it is: integrations that can answer
 * synchronously stay synchronous when no error handler runs. */
export function whenAnswered<T>(answer: Mutations | Promise<Mutations>, use: (mutations: Mutations) => T): T | Promise<T> {
  return answer instanceof Promise ? answer.then(use) : use(answer);
}
