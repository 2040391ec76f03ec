/**
 * Next.js (supertokens-node's `supertokens-node/nextjs`). The native addon runs in the Node.js
 * runtime only: not in the Edge runtime (so not in Next.js middleware on Edge), and `next.config`
 * needs `serverExternalPackages: ["tessera-session"]` so that the addon is loaded, not bundled.
 *
 * Pages router (`pages/api/*`), over the Express integration:
 *
 * ```ts
 * export default async function handler(req: SessionRequest, res: NextApiResponse) {
 *   await superTokensNextWrapper(async (next) => verifySession()(req, res, next), req, res);
 *   res.json({ token: req.session!.getAccessToken() });
 * }
 * ```
 *
 * App router (route handlers):
 *
 * ```ts
 * export function GET(request: NextRequest) {
 *   return withSession(request, async (err, session) => {
 *     if (err) return NextResponse.json(err, { status: 500 });
 *     return NextResponse.json({ token: session!.getAccessToken() });
 *   });
 * }
 * // app/api/auth/[...path]/route.ts: refresh, sign-out, JWKS
 * const handleCall = getAppDirRequestHandler();
 * export const GET = handleCall, POST = handleCall;
 * ```
 */
import { TesseraError } from "../error";
import { answerError } from "../framework/express";
import type { ExpressLikeRequest, ExpressLikeResponse } from "../framework/express/adapter";
import { DeferredResponse } from "../framework/deferred";
import { handleApiRequest } from "../framework/api";
import type { RequestAdapter } from "../framework/request";
import { applyMutations } from "../framework/response";
import type { Mutations } from "../native";
import type { VerifySessionOptions } from "../recipe/session/common";
import { errorAnswer, verifyRequest, whenAnswered } from "../recipe/session/common";
// The session interface (supertokens-node's type): what apps may also store there.
import type { SessionContainerInterface as SessionContainer } from "../recipe/session/sessionContainer";
import { verifyAccessToken } from "../recipe/session/implementation";
import { engine } from "../state";
import type { PartialNextRequest } from "./adapter";
import { FetchHeadersResponse, FetchRequest, getCookieFromRequest } from "./adapter";
import { CollectingResponse, PreParsedRequest } from "../framework/custom";

export { FetchRequest, FetchHeadersResponse };
export type { PartialNextRequest, VerifySessionOptions };
// The request and response handed to `withPreParsedRequestResponse`'s callback: changes made
// to the response are copied onto the `Response` the callback returns.
export { CollectingResponse, PreParsedRequest };

/**
 * Runs an Express-style middleware (`verifySession()`, `middleware()`) in a pages-router API
 * route. Resolves with the callback's result, or when the middleware calls `next()`. When the
 * middleware answers the request itself (a session error, or one of the core's endpoints) the
 * Promise stays pending, as supertokens-node's does, so that the route's code after it (which
 * reads `req.session`) never runs. Rejects with errors that are not session errors.
 */
export function superTokensNextWrapper<T>(
  middleware: (next: (middlewareError?: unknown) => void) => Promise<T>,
  request: unknown,
  response: unknown,
): Promise<T> {
  const req = request as ExpressLikeRequest;
  const res = response as ExpressLikeResponse & { writableEnded?: boolean };
  return new Promise<T>((resolve, reject) => {
    let nextCalled = false;
    const fail = (err: unknown) => answerError(err, req, res, reject);
    const next = (err?: unknown) => {
      nextCalled = true;
      if (err === undefined || err === null) resolve(undefined as T);
      else fail(err);
    };
    middleware(next).then((result) => {
      if (!nextCalled && !res.headersSent && !res.writableEnded) resolve(result);
    }, fail);
  });
}

/** The header that keeps CDNs from caching a response carrying rotated tokens. */
const NO_STORE = "no-cache, no-store, max-age=0, must-revalidate";

/** Copies the collected changes onto `response`, or onto a copy when its headers are immutable
 * (`Response.redirect`, `Response.error`). */
function withChanges<R extends Response>(response: R, collected: DeferredResponse): R {
  if (collected.isEmpty()) return response;
  let target: Response = response;
  try {
    collected.applyTo(new FetchHeadersResponse(target.headers));
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    target = new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: new Headers(response.headers),
    });
    collected.applyTo(new FetchHeadersResponse(target.headers));
  }
  if (!target.headers.has("cache-control")) target.headers.set("Cache-Control", NO_STORE);
  return target as R;
}

/** A `Response` made of the core's answer (status, JSON body, headers, cookies), with what
 * `collected` already holds. */
function coreResponse(answer: Mutations, collected: DeferredResponse): Response {
  const { status, body } = applyMutations(collected, answer);
  const headers = new Headers();
  if (body !== null) headers.set("Content-Type", "application/json; charset=utf-8");
  return withChanges(new Response(body ?? "", { status: status ?? 200, headers }), collected);
}

function isSessionError(err: unknown): err is TesseraError {
  return err instanceof TesseraError && err.isSessionError();
}

/** The protocol's answer to a session error (or the app's error handler's, once it is
 * written), with what `collected` already holds. */
function errorResponse<R extends Response>(request: RequestAdapter, err: TesseraError, collected: DeferredResponse): R | Promise<R> {
  return whenAnswered(errorAnswer(engine(), request, err), (answer) => {
    const { status, body } = applyMutations(collected, answer);
    const headers = new Headers({ "Content-Type": "application/json; charset=utf-8" });
    return withChanges(new Response(body ?? "", { status: status ?? 401, headers }), collected) as R;
  });
}

/**
 * Verifies the session of an app-router request and calls `handler(undefined, session)`
 * (`session` undefined when `sessionRequired: false` and there is none), then copies the
 * response changes (refreshed tokens, `front-token`, cleared cookies) onto the `Response` it
 * returns. Session errors, here or thrown by the handler, are answered with the protocol's
 * response without calling the handler; other verification errors are passed as
 * `handler(err, undefined)`. As in supertokens-node, this is `Session.getSession`, not a
 * framework's `verifySession()`: an `override.apis` `verifySession` is not asked here (it is
 * in the pages router, through the Express `verifySession`).
 */
export async function withSession<NextRequest extends PartialNextRequest, NextResponse extends Response>(
  req: NextRequest,
  handler: (error: Error | undefined, session: SessionContainer | undefined) => Promise<NextResponse>,
  options?: VerifySessionOptions,
  userContext?: Record<string, unknown>,
): Promise<NextResponse> {
  const request = new FetchRequest(req);
  const collected = new DeferredResponse();
  let session: SessionContainer | undefined;
  try {
    session = await verifyRequest(engine(), request, collected, options, userContext);
  } catch (err) {
    if (isSessionError(err)) return errorResponse<NextResponse>(request, err, collected);
    return withChanges(await handler(err as Error, undefined), collected);
  }
  try {
    return withChanges(await handler(undefined, session), collected);
  } catch (err) {
    if (isSessionError(err)) return errorResponse<NextResponse>(request, err, collected);
    throw err;
  }
}

/**
 * Calls `handler` with the request and a collecting response, for the session functions that
 * take a request and a response (`Session.createNewSession(baseRequest, baseResponse, ...)`,
 * `Session.getSession(...)`), then copies what they wrote onto the `Response` the handler
 * returns. Session errors thrown by the handler are answered with the protocol's response.
 */
export async function withPreParsedRequestResponse<NextRequest extends PartialNextRequest, NextResponse extends Response>(
  req: NextRequest,
  handler: (baseRequest: PreParsedRequest, baseResponse: CollectingResponse) => Promise<NextResponse>,
): Promise<NextResponse> {
  // As supertokens-node's: the cookies are the app-router reading of the Cookie header.
  const request = new PreParsedRequest({
    method: req.method,
    url: req.url,
    headers: req.headers,
    cookies: getCookieFromRequest(req),
    getJSONBody: () => (req as Partial<Request>).json?.() ?? Promise.resolve({}),
    getFormBody: () => (req as Partial<Request>).formData?.() ?? Promise.resolve({}),
  });
  const collected = new CollectingResponse();
  try {
    return withChanges(await handler(request, collected), collected);
  } catch (err) {
    if (isSessionError(err)) return errorResponse<NextResponse>(request, err, collected);
    throw err;
  }
}

/** The response adapter `handleApiRequest` writes an app's API functions' changes to: the
 * route handler's collecting response itself. */
const itself = (response: DeferredResponse) => response;

/**
 * A route handler for `app/api/auth/[...path]/route.ts` serving the core's endpoints
 * (`{apiBasePath}/session/refresh`, `/signout`, the JWKS); any other request gets 404 "Not found"
 * (text), as from supertokens-node.
 */
export function getAppDirRequestHandler(): (req: PartialNextRequest) => Promise<Response> {
  return async (req) => {
    const request = new FetchRequest(req);
    // Collects the answer's changes, after those of an app's API functions (`override.apis`).
    const collected = new DeferredResponse();
    try {
      const answer = await handleApiRequest(request, collected, itself);
      if (answer !== null) return coreResponse(answer, collected);
    } catch (err) {
      if (isSessionError(err)) return errorResponse(request, err, collected);
      throw err;
    }
    // supertokens-node's answer, word for word.
    return new Response("Not found", { status: 404 });
  };
}

/** What {@link getSSRSession} finds: the verified access token's payload (undefined when there
 * is no token or it does not verify), whether the request had a token at all, and the error that
 * kept it from looking (Tessera not initialised), as supertokens-node's. */
export interface SSRSession {
  accessTokenPayload: Record<string, any> | undefined;
  hasToken: boolean;
  error: Error | undefined;
}

/**
 * The session of a server component's request from its access token alone (supertokens-node's
 * `getSessionForSSRUsingAccessToken`): the token's signature and expiry are checked, not the
 * anti-CSRF token nor the store, and nothing is written (a server component cannot send new
 * tokens). A token that does not verify, expired included, gives no payload and no error: the
 * page then sends the user to refresh, as the docs show.
 */
export async function getSessionForSSRUsingAccessToken(accessToken: string | undefined): Promise<SSRSession> {
  const hasToken = Boolean(accessToken);
  try {
    engine();
  } catch (err) {
    return { accessTokenPayload: undefined, hasToken, error: err as Error };
  }
  if (!accessToken) return { accessTokenPayload: undefined, hasToken, error: undefined };
  try {
    const session = await verifyAccessToken(accessToken, undefined, { antiCsrfCheck: false });
    return { accessTokenPayload: session?.getAccessTokenPayload(), hasToken, error: undefined };
  } catch {
    return { accessTokenPayload: undefined, hasToken, error: undefined };
  }
}

/**
 * The session of a server component from its cookies (`(await cookies()).getAll()` from
 * `next/headers`), as supertokens-node's `getSSRSession`:
 *
 * ```ts
 * const { accessTokenPayload, hasToken, error } = await getSSRSession((await cookies()).getAll());
 * ```
 */
export async function getSSRSession(cookies: Array<{ name: string; value: string }>): Promise<SSRSession> {
  return getSessionForSSRUsingAccessToken(cookies.find((c) => c.name === "sAccessToken")?.value);
}

export { TesseraError as Error };
export default { superTokensNextWrapper, withSession, withPreParsedRequestResponse, getAppDirRequestHandler, getSSRSession };
