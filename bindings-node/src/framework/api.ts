/** The core's own endpoints (`{apiBasePath}/session/refresh`, `/signout`, the JWKS) as every
 * integration serves them: the core decides which requests are its own and what they answer. */
import { callAsync, fromNative } from "../error";
import type { Mutations, NativeEngine } from "../native";
import { engine } from "../state";
import type { RequestAdapter } from "./request";
import { nativeRequest } from "./request";

async function serve(e: NativeEngine, request: RequestAdapter): Promise<Mutations | null> {
  const [method, path, headers, transfer] = nativeRequest(request);
  const answer: Mutations | null | undefined = await callAsync(() => e.handleApiRequest(method, path, headers, transfer));
  return answer ?? null;
}

/**
 * The core's answer when `request` is one of its endpoints (a Promise, as serving one may do
 * I/O), else null itself: deciding needs no I/O, and most requests are not the core's, so an
 * integration can pass them on at once instead of awaiting a Promise made for nothing.
 * @throws TesseraError when the core rejects the method or path.
 */
export function handleApiRequest(request: RequestAdapter): Promise<Mutations | null> | null {
  const e = engine();
  let isApi: boolean;
  try {
    isApi = e.isApiRequest(request.method(), request.path());
  } catch (err) {
    throw fromNative(err);
  }
  return isApi ? serve(e, request) : null;
}
