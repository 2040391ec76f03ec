/**
 * The LoopBack 4 integration (supertokens-node's `supertokens-node/framework/loopback`):
 *
 * ```ts
 * app.middleware(middleware);   // serves {apiBasePath}/session/refresh, /signout, /jwt/jwks.json,
 *                               // and answers session errors thrown by controllers
 * // in a controller: @get("/x") @intercept(verifySession()) handler() { (this.ctx as SessionContext).session }
 * ```
 */
import type { Middleware, MiddlewareContext } from "@loopback/rest";
import { TesseraError } from "../../error";
// The session interface (supertokens-node's type): what apps may also store there.
import type { SessionContainerInterface as SessionContainer } from "../../recipe/session/sessionContainer";
import { errorAnswer, whenAnswered } from "../../recipe/session/common";
import { engine } from "../../state";
import { handleApiRequest } from "../api";
import { applyMutations } from "../response";
import type { LoopbackLikeContext } from "./adapter";
import { LoopbackRequest, LoopbackResponse } from "./adapter";

export { LoopbackRequest, LoopbackResponse };
export type { LoopbackLikeContext };

/** LoopBack's middleware context with the session `verifySession` stores. */
export type SessionContext = MiddlewareContext & { session?: SessionContainer };

/** Answers a session error with the protocol's response and returns true (or, when the app's
 * error handler answers, a Promise that settles once it is sent); false for any other error
 * (or when the response is already sent), which the caller rethrows. */
export function answerError(err: unknown, ctx: LoopbackLikeContext): boolean | Promise<void> {
  if (!(err instanceof TesseraError) || !err.isSessionError() || ctx.response.headersSent) return false;
  const response = new LoopbackResponse(ctx);
  const sent = whenAnswered(errorAnswer(engine(), new LoopbackRequest(ctx), err), (answer) => {
    const { status, body } = applyMutations(response, answer);
    response.send(status, body);
  });
  return sent ?? true;
}

/** The response adapter `handleApiRequest` writes an app's API functions' changes to. */
const responseOf = (ctx: LoopbackLikeContext) => new LoopbackResponse(ctx);

async function run(ctx: LoopbackLikeContext, next: () => unknown, serveApi: boolean): Promise<unknown> {
  try {
    if (serveApi) {
      const answer = await handleApiRequest(new LoopbackRequest(ctx), ctx, responseOf);
      if (answer !== null) {
        const response = new LoopbackResponse(ctx);
        const { status, body } = applyMutations(response, answer);
        response.send(status, body);
        // LoopBack's send-response step writes nothing once the headers are out.
        return ctx.response;
      }
    }
    return await next();
  } catch (err) {
    const answered = answerError(err, ctx);
    if (answered === false) throw err;
    if (answered !== true) await answered;
    return ctx.response;
  }
}

/**
 * Serves the core's endpoints; every other request goes on down the chain, and session errors
 * thrown there (by a controller calling a session method) are answered with the protocol's
 * response. A value, as in supertokens-node: `app.middleware(middleware)`.
 */
export const middleware: Middleware = (ctx, next) => run(ctx, next, true);

/**
 * Middleware that only answers session errors thrown further down the chain, for apps that
 * serve the core's endpoints some other way. `middleware` already does this.
 */
export function errorHandler(): Middleware {
  return (ctx, next) => run(ctx, next, false);
}

export default { middleware, errorHandler };
