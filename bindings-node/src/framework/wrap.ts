/** Picks the adapter for the `req`/`res` passed to `Session.getSession(req, res)` and friends,
 * by the `framework` given to `init` (supertokens-node's `wrapRequest`/`wrapResponse`). */
import { TesseraError } from "../error";
import { state } from "../state";
import { ExpressRequest, ExpressResponse } from "./express/adapter";
import type { ExpressLikeRequest, ExpressLikeResponse } from "./express/adapter";
import type { RequestAdapter } from "./request";
import type { ResponseAdapter } from "./response";

function isRequestAdapter(x: unknown): x is RequestAdapter {
  return typeof (x as RequestAdapter | null)?.headerValues === "function";
}

function isResponseAdapter(x: unknown): x is ResponseAdapter {
  return typeof (x as ResponseAdapter | null)?.addSetCookie === "function";
}

export function wrapRequest(req: unknown): RequestAdapter {
  if (isRequestAdapter(req)) return req;
  const framework = state().framework;
  if (framework === "express") return new ExpressRequest(req as ExpressLikeRequest);
  throw new TesseraError({ type: "NOT_SUPPORTED", message: `framework "${framework}": pass a RequestAdapter` });
}

export function wrapResponse(res: unknown): ResponseAdapter | null {
  if (res === undefined || res === null) return null;
  if (isResponseAdapter(res)) return res;
  const framework = state().framework;
  if (framework === "express") return new ExpressResponse(res as ExpressLikeResponse);
  throw new TesseraError({ type: "NOT_SUPPORTED", message: `framework "${framework}": pass a ResponseAdapter` });
}
