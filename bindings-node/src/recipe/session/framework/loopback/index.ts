/**
 * `verifySession` for LoopBack 4 (supertokens-node's
 * `supertokens-node/recipe/session/framework/loopback`), an interceptor:
 *
 * ```ts
 * class JwtController {
 *   constructor(@inject(RestBindings.Http.CONTEXT) private ctx: MiddlewareContext) {}
 *   @get("/getJWT") @intercept(verifySession()) @response(200)
 *   getJWT() { return { token: (this.ctx as SessionContext).session!.getAccessToken() }; }
 * }
 * ```
 */
import type { Interceptor } from "@loopback/core";
import type { MiddlewareContext } from "@loopback/rest";
import { TesseraError } from "../../../../error";
import { LoopbackRequest, LoopbackResponse } from "../../../../framework/loopback/adapter";
import { answerError } from "../../../../framework/loopback";
import type { VerifySessionOptions } from "../../common";
import { verifyRoute } from "../../common";
import type { SessionContainer } from "../../sessionContainer";

export type { VerifySessionOptions };
export type { SessionContext } from "../../../../framework/loopback";

/** The binding key of the HTTP request's `MiddlewareContext` (`RestBindings.Http.CONTEXT`),
 * spelled out so that this module does not load `@loopback/rest`. */
const HTTP_CONTEXT = "middleware.http.context";

/**
 * An interceptor that verifies the request's session and stores it on the HTTP request's
 * `MiddlewareContext` (`(ctx as SessionContext).session`), then invokes the method. Session
 * errors are answered here (401/403, cookies cleared as the core says) and the method is not
 * invoked; other errors are thrown.
 * The app's `override.apis` `verifySession`, when it replaced Tessera's, gives the session.
 */
export function verifySession(options?: VerifySessionOptions): Interceptor {
  return async (invocationCtx, next) => {
    const ctx = await invocationCtx.get<MiddlewareContext>(HTTP_CONTEXT);
    let session: SessionContainer | undefined;
    try {
      session = await verifyRoute(new LoopbackRequest(ctx), new LoopbackResponse(ctx), options);
    } catch (err) {
      const answered = answerError(err, ctx);
      if (answered === false) throw err;
      if (answered !== true) await answered;
      return ctx.response;
    }
    (ctx as MiddlewareContext & { session?: SessionContainer }).session = session;
    return next();
  };
}

export { TesseraError as Error };
export default { verifySession };
