/**
 * The Express integration (supertokens-node's `supertokens-node/framework/express`):
 *
 * ```ts
 * app.use(middleware());      // serves {apiBasePath}/session/refresh, /signout, /jwt/jwks.json
 * app.get("/x", verifySession(), handler);
 * app.use(errorHandler());    // answers session errors raised later in a route
 * ```
 */
import { TesseraError } from "../../error";
// The session interface (supertokens-node's type): what apps may also store there.
import type { SessionContainerInterface as SessionContainer } from "../../recipe/session/sessionContainer";
import { errorAnswer, whenAnswered } from "../../recipe/session/common";
import type { Mutations } from "../../native";
import { engine } from "../../state";
import { handleApiRequest } from "../api";
import { DONE, applyMutations } from "../response";
import type { ExpressLikeRequest, ExpressLikeResponse } from "./adapter";
import { ExpressRequest, ExpressResponse } from "./adapter";

export { ExpressRequest, ExpressResponse };

/** Express's request with the session `verifySession` stores (also express-session's name). */
export type SessionRequest<R = import("express").Request> = R & { session?: SessionContainer };

type Next = (err?: unknown) => void;

/** The response adapter `handleApiRequest` writes an app's API functions' changes to. */
const responseOf = (res: ExpressLikeResponse) => new ExpressResponse(res);

/** Answers a session error with the protocol's response (or the app's error handler's, then
 * returning a Promise that settles once it is sent); other errors go to `next`. */
export function answerError(err: unknown, req: ExpressLikeRequest, res: ExpressLikeResponse, next: Next): void | Promise<void> {
  if (!(err instanceof TesseraError) || !err.isSessionError() || res.headersSent) {
    next(err);
    return;
  }
  try {
    const request = new ExpressRequest(req);
    const response = new ExpressResponse(res);
    const sent = whenAnswered(errorAnswer(engine(), request, err), (answer) => {
      const { status, body } = applyMutations(response, answer);
      response.send(status, body);
    });
    if (sent !== undefined) return sent.catch(next);
  } catch (e) {
    next(e);
  }
}

async function serve(pending: Promise<Mutations | null>, req: ExpressLikeRequest, res: ExpressLikeResponse, next: Next): Promise<void> {
  try {
    const answer = await pending;
    if (answer === null) {
      next();
      return;
    }
    const response = new ExpressResponse(res);
    const { status, body } = applyMutations(response, answer);
    response.send(status, body);
  } catch (err) {
    return answerError(err, req, res, next);
  }
}

/** Serves the core's endpoints; every other request goes on to `next`. The returned Promise
 * settles once the request is answered or passed on, so wrappers that await the middleware
 * (Next.js's `superTokensNextWrapper`) see the outcome. */
export function middleware() {
  return (req: ExpressLikeRequest, res: ExpressLikeResponse, next: Next): Promise<void> => {
    let pending: Promise<Mutations | null> | null;
    try {
      pending = handleApiRequest(new ExpressRequest(req), res, responseOf);
    } catch (err) {
      return answerError(err, req, res, next) ?? DONE;
    }
    if (pending !== null) return serve(pending, req, res, next);
    next();
    return DONE;
  };
}

/** An Express error handler for session errors raised in routes after `verifySession`. */
export function errorHandler() {
  return (err: unknown, req: ExpressLikeRequest, res: ExpressLikeResponse, next: Next): void | Promise<void> =>
    answerError(err, req, res, next);
}
