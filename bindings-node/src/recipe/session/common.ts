/** What the session functions and the framework integrations share. Every decision is the core's. */
import type { TesseraError } from "../../error";
import { callSync, fromNative } from "../../error";
import type { Mutations, NativeEngine, NativeSession, SessionWithMutations } from "../../native";
import type { RequestAdapter } from "../../framework/request";
import { baseRequest, nativeRequest } from "../../framework/request";
import type { ResponseAdapter } from "../../framework/response";
import { applyMutations } from "../../framework/response";
import { state } from "../../state";
import { apiCall } from "./apiOptions";
import { handlerCall, runHandler } from "./errorHandlers";
import type { UserContext } from "./errorHandlers";
import type { InstalledApis, SessionClaimValidator } from "./recipeInterface";
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

/** The arguments of the native `verifySession` and `verifySessionAsync` (the same list). */
function verifyArgs(
  [method, path, headers, transfer]: NativeRequest,
  options: VerifySessionOptions | undefined,
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
  ];
}

/** The native `verifySession` on the calling thread, or null when the core needs I/O (the
 * store or a key fetch) to answer. */
function verifyInline(
  engine: NativeEngine,
  request: NativeRequest,
  options: VerifySessionOptions | undefined,
): SessionWithMutations | null {
  try {
    return splitResult(engine.verifySession(...verifyArgs(request, options)));
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
): Promise<SessionWithMutations> {
  try {
    return splitResult(await engine.verifySessionAsync(...verifyArgs(request, options)));
  } catch (err) {
    throw fromNative(err);
  }
}

/**
 * Runs the validators `overrideGlobalClaimValidators` returns on the session
 * ({@link SessionContainer.assertClaims}). Tessera has no recipe that adds global claim
 * validators, so the override is given an empty list.
 */
export async function checkClaimOverride(
  options: VerifySessionOptions | undefined,
  session: SessionContainer | undefined,
  userContext?: unknown,
): Promise<void> {
  const override = options?.overrideGlobalClaimValidators;
  if (override === undefined || session === undefined) return;
  const ctx = (userContext ?? {}) as UserContext;
  const validators = await override([], session, ctx);
  if (validators.length > 0) await session.assertClaims(validators, ctx);
}

/** The session of a verification outcome, with its response changes written to `response`. */
function sessionOf(
  engine: NativeEngine,
  { session, mutations }: SessionWithMutations,
  response: ResponseAdapter | null,
): SessionContainer | undefined {
  if (session === null) {
    if (response !== null) applyMutations(response, mutations);
    return undefined;
  }
  const container = new SessionContainer(engine, session, response);
  container.applyMutations(mutations);
  return container;
}

async function verifyRequestLater(
  engine: NativeEngine,
  args: NativeRequest,
  response: ResponseAdapter | null,
  options: VerifySessionOptions | undefined,
  userContext: unknown,
): Promise<SessionContainer | undefined> {
  const container = sessionOf(engine, await verifyOffLoop(engine, args, options), response);
  await checkClaimOverride(options, container, userContext);
  return container;
}

/**
 * Verifies the request's session, writing any response changes to `response`. Returns the
 * session itself when the core answers without I/O and no claim override is given (the usual
 * case), else a Promise of it: an integration that can go on synchronously then spends no
 * Promise and no turn of the microtask queue on a verified request. Throws, or rejects, with the
 * session error.
 */
export function verifyRequestNow(
  engine: NativeEngine,
  request: RequestAdapter,
  response: ResponseAdapter | null,
  options: VerifySessionOptions | undefined,
  userContext?: unknown,
): SessionContainer | undefined | Promise<SessionContainer | undefined> {
  const args = nativeRequest(request);
  const result = verifyInline(engine, args, options);
  if (result === null) return verifyRequestLater(engine, args, response, options, userContext);
  const container = sessionOf(engine, result, response);
  if (options?.overrideGlobalClaimValidators === undefined) return container;
  return checkClaimOverride(options, container, userContext).then(() => container);
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

/** Verifies the request's session, writing any response changes to `response`. */
export async function verifyRequest(
  engine: NativeEngine,
  request: RequestAdapter,
  response: ResponseAdapter | null,
  options: VerifySessionOptions | undefined,
  userContext?: unknown,
): Promise<SessionContainer | undefined> {
  return verifyRequestNow(engine, request, response, options, userContext);
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
