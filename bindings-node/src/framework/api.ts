/** The core's own endpoints (`{apiBasePath}/session/refresh`, `/signout`, the JWKS) as every
 * integration serves them: the core decides which requests are its own and what they answer. */
import { TesseraError, callAsync, fromNative } from "../error";
import type { Mutations, NativeEngine } from "../native";
import { errorAnswer } from "../recipe/session/common";
import { state } from "../state";
import type { RequestAdapter } from "./request";
import { nativeRequest } from "./request";

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
 * The core's answer when `request` is one of its endpoints (a Promise, as serving one may do
 * I/O), else null itself: deciding needs no I/O, and most requests are not the core's, so an
 * integration can pass them on at once instead of awaiting a Promise made for nothing.
 * @throws TesseraError when the core rejects the method or path.
 */
export function handleApiRequest(request: RequestAdapter): Promise<Mutations | null> | null {
  const { engine: e, errorHandlers } = state();
  let isApi: boolean;
  try {
    isApi = e.isApiRequest(request.method(), request.path());
  } catch (err) {
    throw fromNative(err);
  }
  if (!isApi) return null;
  return errorHandlers === undefined ? serve(e, request) : serveWithHandlers(e, request, errorHandlers.codes);
}
