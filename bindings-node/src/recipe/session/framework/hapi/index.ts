/**
 * `verifySession` for Hapi (supertokens-node's `supertokens-node/recipe/session/framework/hapi`):
 *
 * ```ts
 * server.route({ method: "GET", path: "/getJWT", options: { pre: [{ method: verifySession() }] },
 *   handler: (req, h) => ({ token: req.session.getAccessToken() }) });
 * ```
 */
import type { Request, ResponseToolkit } from "@hapi/hapi";
import { TesseraError } from "../../../../error";
import { HapiRequest, HapiResponse } from "../../../../framework/hapi/adapter";
import { errorResponse } from "../../../../framework/hapi";
import type { VerifySessionOptions } from "../../common";
import { verifyRoute } from "../../common";
import type { SessionContainer } from "../../sessionContainer";

export type { VerifySessionOptions };
export type { SessionRequest } from "../../../../framework/hapi";

/**
 * A Hapi route `pre` method that verifies the request's session and stores it on
 * `request.session`. Session errors are answered here (401/403, cookies cleared as the core
 * says); other errors are thrown to Hapi. Response changes are written by the plugin.
 * The app's `override.apis` `verifySession`, when it replaced Tessera's, gives the session.
 */
export function verifySession(options?: VerifySessionOptions) {
  return async (request: Request, h: ResponseToolkit) => {
    let session: SessionContainer | undefined;
    try {
      session = await verifyRoute(new HapiRequest(request), new HapiResponse(request), options);
    } catch (err) {
      const response = errorResponse(request, h, err);
      if (response === null) throw err;
      return (response instanceof Promise ? await response : response).takeover();
    }
    (request as Request & { session?: SessionContainer }).session = session;
    return h.continue;
  };
}

export { TesseraError as Error };
export default { verifySession };
