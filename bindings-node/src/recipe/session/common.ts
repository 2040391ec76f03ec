/** What the session functions and the framework integrations share. Every decision is the core's. */
import { TesseraError, callSync, fromNative } from "../../error";
import type { Mutations, NativeEngine, NativeSession, SessionWithMutations } from "../../native";
import type { RequestAdapter } from "../../framework/request";
import { nativeRequest } from "../../framework/request";
import type { ResponseAdapter } from "../../framework/response";
import { applyMutations } from "../../framework/response";
import { SessionContainer } from "./sessionContainer";

export interface VerifySessionOptions {
  antiCsrfCheck?: boolean;
  sessionRequired?: boolean;
  checkDatabase?: boolean;
  overrideGlobalClaimValidators?: (validators: unknown[], session: SessionContainer, userContext: unknown) => unknown;
}

/** A native result that may be a session, `{session, mutations}`, or nothing. */
export function splitResult(result: unknown): SessionWithMutations {
  if (result === null || result === undefined) return { session: null, mutations: null };
  const r = result as Partial<SessionWithMutations>;
  if ("session" in r || "mutations" in r) return { session: r.session ?? null, mutations: r.mutations ?? null };
  return { session: result as NativeSession, mutations: null };
}

/** The native `verifySession`: inline when the core can answer without I/O (the usual case),
 * else its async twin. */
export async function verifyNative(
  engine: NativeEngine,
  request: RequestAdapter,
  options: VerifySessionOptions | undefined,
): Promise<SessionWithMutations> {
  const [method, path, headers, transfer] = nativeRequest(request);
  const required = options?.sessionRequired ?? true;
  const antiCsrf = options?.antiCsrfCheck;
  const checkDatabase = options?.checkDatabase ?? false;
  try {
    return splitResult(engine.verifySession(method, path, headers, required, antiCsrf, checkDatabase, null, transfer));
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code !== "WOULD_BLOCK") throw fromNative(err);
  }
  try {
    return splitResult(
      await engine.verifySessionAsync(method, path, headers, required, antiCsrf, checkDatabase, null, transfer),
    );
  } catch (err) {
    throw fromNative(err);
  }
}

/** Tessera has no global claim validators yet: an override may only keep the list empty. */
export async function checkClaimOverride(
  options: VerifySessionOptions | undefined,
  session: SessionContainer | undefined,
  userContext?: unknown,
): Promise<void> {
  const override = options?.overrideGlobalClaimValidators;
  if (override === undefined || session === undefined) return;
  const result = await override([], session, userContext ?? {});
  if (Array.isArray(result) && result.length > 0) {
    throw new TesseraError({
      type: "NOT_SUPPORTED",
      message: "overrideGlobalClaimValidators returned validators: session claims are not supported by Tessera yet",
    });
  }
}

/** Verifies the request's session, writing any response changes to `response`. */
export async function verifyRequest(
  engine: NativeEngine,
  request: RequestAdapter,
  response: ResponseAdapter | null,
  options: VerifySessionOptions | undefined,
  userContext?: unknown,
): Promise<SessionContainer | undefined> {
  const { session, mutations } = await verifyNative(engine, request, options);
  const container = session === null ? undefined : new SessionContainer(engine, session, response);
  if (container !== undefined) container.applyMutations(mutations);
  else if (response !== null) applyMutations(response, mutations);
  // Awaited only when there is an override: an await costs a turn of the microtask queue on
  // every verified request.
  if (options?.overrideGlobalClaimValidators !== undefined) await checkClaimOverride(options, container, userContext);
  return container;
}

/** The protocol's answer to a session error for this request. */
export function errorAnswer(engine: NativeEngine, request: RequestAdapter, error: TesseraError): Mutations {
  const [method, path, headers, transfer] = nativeRequest(request);
  return callSync(() =>
    engine.errorResponse(
      method,
      path,
      headers,
      error.type,
      error.message,
      error.payloadJson(),
      error.clearTokens,
      transfer,
    ),
  );
}
