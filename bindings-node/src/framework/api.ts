/** The core's own endpoints (`{apiBasePath}/session/refresh`, `/signout`, the JWKS) as every
 * integration serves them: the core decides which requests are its own and what they answer,
 * and with `override.apis` (or an `override.functions` replacing what they call) the
 * `refreshPOST` and `signOutPOST` functions do the work in between. */
import { TesseraError, callAsync, fromNative } from "../error";
import type { Mutations, NativeEngine } from "../native";
import { apiCall } from "../recipe/session/apiOptions";
import { errorAnswer, verifyRequest } from "../recipe/session/common";
import type { VerifySessionOptions } from "../recipe/session/common";
import type { InstalledApis } from "../recipe/session/recipeInterface";
import { state } from "../state";
import type { RequestAdapter } from "./request";
import { nativeRequest } from "./request";
import type { ResponseAdapter } from "./response";

/** How sign-out verifies its session: required, with no claim validators. */
const SIGN_OUT_VERIFY: VerifySessionOptions = Object.freeze({ sessionRequired: true, overrideGlobalClaimValidators: () => [] });

async function serve(e: NativeEngine, request: RequestAdapter): Promise<Mutations | null> {
  const [method, path, headers, transfer] = nativeRequest(request);
  const answer: Mutations | null | undefined = await callAsync(() => e.handleApiRequest(method, path, headers, transfer));
  return answer ?? null;
}

/** `serve` for an app with error handlers: the core returns the endpoint's errors that have a
 * handler (refresh-token reuse, a refresh without a token, ...) rather than answering them,
 * and the handler answers them here. */
async function serveWithHandlers(e: NativeEngine, request: RequestAdapter, codes: string[]): Promise<Mutations | null> {
  const [method, path, headers, transfer] = nativeRequest(request);
  try {
    const answer = await callAsync(() => e.tryHandleApiRequest(method, path, headers, transfer, codes));
    return answer ?? null;
  } catch (err) {
    if (!(err instanceof TesseraError) || !codes.includes(err.type)) throw err;
    return errorAnswer(e, request, err);
  }
}

/**
 * Refresh or sign-out through the API functions (the app's, or the defaults when its
 * `override.functions` replaced a function they call), as supertokens-node's `handleRefreshAPI`
 * and `signOutAPI` do: sign-out first verifies the session (required, through the recipe's
 * `getSession`, its claims left unchecked: a user whose claims fail may still sign out), and the
 * answer is 200 with the function's result as JSON (`{}` for refresh). The token changes are written to `response` as they are
 * made; the answer's status and body are returned, for the integration to send. Tessera's
 * errors get the answer the core gives them at its own endpoints (or the app's error handler's);
 * any other error is the integration's, as an error in a route is.
 */
async function serveThroughApi(
  e: NativeEngine,
  apis: InstalledApis,
  endpoint: "refresh" | "signout",
  request: RequestAdapter,
  response: ResponseAdapter,
): Promise<Mutations> {
  const { options, res, userContext } = apiCall(apis, request, response);
  const api = apis.implementation;
  try {
    if (endpoint === "refresh") {
      await api.refreshPOST?.({ options, userContext });
      return res.answer({});
    }
    const session = await verifyRequest(e, request, res, SIGN_OUT_VERIFY, userContext);
    if (session === undefined) throw new TesseraError({ type: "INTERNAL", message: "a required session verified as none" });
    return res.answer(await api.signOutPOST?.({ options, session, userContext }));
  } catch (err) {
    if (!(err instanceof TesseraError)) throw err;
    return errorAnswer(e, request, err);
  }
}

/**
 * The answer when `request` is one of the core's endpoints (a Promise, as serving one may do
 * I/O), else null itself: deciding needs no I/O, and most requests are not the core's, so an
 * integration can pass them on at once instead of awaiting a Promise made for nothing.
 *
 * `responseOf(res)` is the framework's response adapter for `res`, asked for only when the
 * app's `override.apis` serves the request (its functions write to the response as they go),
 * so that other requests allocate nothing more than before. An endpoint whose API function is
 * `undefined` is not served: null, and the request goes on to the app.
 *
 * @throws TesseraError when the core rejects the method or path.
 */
export function handleApiRequest<R>(
  request: RequestAdapter,
  res: R,
  responseOf: (res: R) => ResponseAdapter,
): Promise<Mutations | null> | null {
  const { engine: e, errorHandlers, apis } = state();
  try {
    if (apis !== undefined) {
      const endpoint = e.apiEndpoint(request.method(), request.path());
      if (endpoint === null) return null;
      // The JWKS and the OpenID discovery document stay the core's.
      if (endpoint === "refresh" || endpoint === "signout") {
        return serveApi(e, apis, endpoint, request, res, responseOf);
      }
    } else if (!e.isApiRequest(request.method(), request.path())) return null;
  } catch (err) {
    throw fromNative(err);
  }
  return errorHandlers === undefined ? serve(e, request) : serveWithHandlers(e, request, errorHandlers.codes);
}

/** Refresh or sign-out for an app with `override.apis`: null when its API function is
 * `undefined` (read per request, as supertokens-node does). */
function serveApi<R>(
  e: NativeEngine,
  apis: InstalledApis,
  endpoint: "refresh" | "signout",
  request: RequestAdapter,
  res: R,
  responseOf: (res: R) => ResponseAdapter,
): Promise<Mutations> | null {
  const api = apis.implementation;
  if ((endpoint === "refresh" ? api.refreshPOST : api.signOutPOST) === undefined) return null;
  return serveThroughApi(e, apis, endpoint, request, responseOf(res));
}
