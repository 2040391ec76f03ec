/**
 * `verifySession` for Koa (supertokens-node's `supertokens-node/recipe/session/framework/koa`):
 *
 * ```ts
 * router.get("/getJWT", verifySession(), async (ctx) => { ctx.body = { token: ctx.session.getAccessToken() }; });
 * ```
 */
import { TesseraError } from "../../../../error";
import type { KoaLikeContext } from "../../../../framework/koa/adapter";
import { KoaRequest, KoaResponse } from "../../../../framework/koa/adapter";
import { answerError } from "../../../../framework/koa";
import type { VerifySessionOptions } from "../../common";
import { verifyRoute } from "../../common";
import type { SessionContainer } from "../../sessionContainer";

export type { VerifySessionOptions };
export type { SessionContext } from "../../../../framework/koa";

/**
 * Koa middleware that verifies the request's session, stores it on `ctx.session` and awaits
 * `next()`. Session errors are answered here (401/403, cookies cleared as the core says) without
 * calling `next`; other errors are thrown.
 * The app's `override.apis` `verifySession`, when it replaced Tessera's, gives the session.
 */
export function verifySession(options?: VerifySessionOptions) {
  return async (ctx: KoaLikeContext, next: () => Promise<unknown>): Promise<void> => {
    let session: SessionContainer | undefined;
    try {
      session = await verifyRoute(new KoaRequest(ctx), new KoaResponse(ctx), options);
    } catch (err) {
      const answered = answerError(err, ctx);
      if (answered === false) throw err;
      if (answered !== true) await answered;
      return;
    }
    (ctx as { session?: SessionContainer }).session = session;
    await next();
  };
}

export { TesseraError as Error };
export default { verifySession };
