/**
 * `verifySession` for Express (supertokens-node's
 * `supertokens-node/recipe/session/framework/express`):
 *
 * ```ts
 * app.get("/getJWT", verifySession(), async (req, res) => res.json({ token: req.session.getAccessToken() }));
 * ```
 */
import { TesseraError } from "../../../../error";
import type { ExpressLikeRequest, ExpressLikeResponse } from "../../../../framework/express/adapter";
import { ExpressRequest, ExpressResponse } from "../../../../framework/express/adapter";
import { answerError } from "../../../../framework/express";
import { DONE } from "../../../../framework/response";
import type { VerifySessionOptions } from "../../common";
import { verifyRoute } from "../../common";
import { SessionContainer } from "../../sessionContainer";

export type { VerifySessionOptions };
export type { SessionRequest } from "../../../../framework/express";

/**
 * Express middleware that verifies the request's session and stores it on `req.session`, then
 * calls `next()`. Session errors are answered here (401/403, cookies cleared as the core says);
 * other errors go to `next(err)`. A token whose key is known is verified synchronously.
 * The app's `override.apis` `verifySession`, when it replaced Tessera's, gives the session.
 */
export function verifySession(options?: VerifySessionOptions) {
  // `next`'s argument is `any`, as in Express's `NextFunction` that supertokens-node takes: a
  // callback written for it (`(res) => { err = res; }` into a `let err = undefined`) compiles.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (req: ExpressLikeRequest, res: ExpressLikeResponse, next: (err?: any) => void): Promise<void> => {
    let outcome: SessionContainer | undefined | Promise<SessionContainer | undefined>;
    try {
      outcome = verifyRoute(new ExpressRequest(req), new ExpressResponse(res), options);
    } catch (err) {
      return answerError(err, req, res, next) ?? DONE;
    }
    if (outcome === undefined || outcome instanceof SessionContainer) {
      (req as { session?: SessionContainer }).session = outcome;
      next();
      return DONE;
    }
    return outcome.then(
      (session) => {
        (req as { session?: SessionContainer }).session = session;
        next();
      },
      (err: unknown) => answerError(err, req, res, next),
    );
  };
}

export { TesseraError as Error };
export default { verifySession };
