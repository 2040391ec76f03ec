/**
 * `verifySession` for Fastify (supertokens-node's
 * `supertokens-node/recipe/session/framework/fastify`):
 *
 * ```ts
 * app.get("/getJWT", { preHandler: verifySession() }, async (req) => ({ token: req.session.getAccessToken() }));
 * ```
 */
import { TesseraError } from "../../../../error";
import type { FastifyLikeReply, FastifyLikeRequest } from "../../../../framework/fastify/adapter";
import { FastifyRequest, FastifyResponse } from "../../../../framework/fastify/adapter";
import { answerError } from "../../../../framework/fastify";
import type { VerifySessionOptions } from "../../common";
import { verifyRoute } from "../../common";
import type { SessionContainer } from "../../sessionContainer";

export type { VerifySessionOptions };
export type { SessionRequest } from "../../../../framework/fastify";

/**
 * A Fastify `preHandler` that verifies the request's session and stores it on `request.session`.
 * Session errors are answered here (401/403, cookies cleared as the core says) and the route
 * does not run; other errors are thrown to Fastify's error handler.
 * The app's `override.apis` `verifySession`, when it replaced Tessera's, gives the session.
 */
export function verifySession(options?: VerifySessionOptions) {
  return async (req: FastifyLikeRequest, reply: FastifyLikeReply): Promise<unknown> => {
    let session: SessionContainer | undefined;
    try {
      session = await verifyRoute(new FastifyRequest(req), new FastifyResponse(reply), options);
    } catch (err) {
      const answered = answerError(err, req, reply);
      if (answered === false) throw err;
      if (answered !== true) await answered;
      return reply;
    }
    (req as { session?: SessionContainer }).session = session;
    return undefined;
  };
}

export { TesseraError as Error };
export default { verifySession };
