/**
 * The Koa integration (supertokens-node's `supertokens-node/framework/koa`):
 *
 * ```ts
 * app.use(middleware());   // serves {apiBasePath}/session/refresh, /signout, /jwt/jwks.json,
 *                          // and answers session errors raised downstream
 * router.get("/x", verifySession(), (ctx) => { ctx.session!.getUserId(); });
 * app.use(router.routes());
 * ```
 */
import { TesseraError } from "../../error";
// The session interface (supertokens-node's type): what apps may also store there.
import type { SessionContainerInterface as SessionContainer } from "../../recipe/session/sessionContainer";
import { errorAnswer, whenAnswered } from "../../recipe/session/common";
import { engine } from "../../state";
import { handleApiRequest } from "../api";
import { applyMutations } from "../response";
import type { KoaLikeContext } from "./adapter";
import { KoaRequest, KoaResponse } from "./adapter";

export { KoaRequest, KoaResponse };

/** Koa's context with the session `verifySession` stores (also koa-session's name). */
export type SessionContext<C = import("koa").Context> = C & { session?: SessionContainer };

type Next = () => Promise<unknown>;

/** The response adapter `handleApiRequest` writes an app's API functions' changes to. */
const responseOf = (ctx: KoaLikeContext) => new KoaResponse(ctx);

/** Answers a session error with the protocol's response and returns true (or, when the app's
 * error handler answers, a Promise that settles once the answer is set); false for any other
 * error (or when the headers are already sent), which the caller rethrows. */
export function answerError(err: unknown, ctx: KoaLikeContext): boolean | Promise<void> {
  if (!(err instanceof TesseraError) || !err.isSessionError() || ctx.headerSent) return false;
  const response = new KoaResponse(ctx);
  const sent = whenAnswered(errorAnswer(engine(), new KoaRequest(ctx), err), (answer) => {
    const { status, body } = applyMutations(response, answer);
    response.send(status, body);
  });
  return sent ?? true;
}

/** Serves the core's endpoints; every other request goes on to `next`, whose session errors are
 * answered here (Koa has no separate error handler). */
export function middleware() {
  return async (ctx: KoaLikeContext, next: Next): Promise<void> => {
    try {
      const answer = await handleApiRequest(new KoaRequest(ctx), ctx, responseOf);
      if (answer !== null) {
        const response = new KoaResponse(ctx);
        const { status, body } = applyMutations(response, answer);
        response.send(status, body);
        return;
      }
      await next();
    } catch (err) {
      const answered = answerError(err, ctx);
      if (answered === false) throw err;
      if (answered !== true) await answered;
    }
  };
}

export default { middleware };
