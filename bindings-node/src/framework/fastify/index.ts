/**
 * The Fastify integration (supertokens-node's `supertokens-node/framework/fastify`):
 *
 * ```ts
 * await app.register(plugin);              // serves {apiBasePath}/session/refresh, /signout, /jwt/jwks.json
 * app.setErrorHandler(errorHandler());     // answers session errors raised later in a route
 * app.get("/x", { preHandler: verifySession() }, handler);
 * ```
 */
import { TesseraError } from "../../error";
// The session interface (supertokens-node's type): what apps may also store there.
import type { SessionContainerInterface as SessionContainer } from "../../recipe/session/sessionContainer";
import { errorAnswer, whenAnswered } from "../../recipe/session/common";
import { engine } from "../../state";
import { handleApiRequest } from "../api";
import { applyMutations } from "../response";
import type { FastifyLikeReply, FastifyLikeRequest } from "./adapter";
import { FastifyRequest, FastifyResponse } from "./adapter";

export { FastifyRequest, FastifyResponse };

/** Fastify's request with the session `verifySession` stores. */
export type SessionRequest<R = import("fastify").FastifyRequest> = R & { session?: SessionContainer };

/** Answers a session error with the protocol's response and returns true (or, when the app's
 * error handler answers, a Promise that settles once it is sent); false for any other error
 * (or when the reply is already sent), which the caller passes on. */
export function answerError(err: unknown, req: FastifyLikeRequest, reply: FastifyLikeReply): boolean | Promise<void> {
  if (!(err instanceof TesseraError) || !err.isSessionError() || reply.sent) return false;
  const request = new FastifyRequest(req);
  const response = new FastifyResponse(reply);
  const sent = whenAnswered(errorAnswer(engine(), request, err), (answer) => {
    const { status, body } = applyMutations(response, answer);
    response.send(status, body);
  });
  return sent ?? true;
}

interface FastifyLikeInstance {
  addHook(name: "onRequest", hook: (req: FastifyLikeRequest, reply: FastifyLikeReply) => Promise<unknown>): unknown;
}

/** The response adapter `handleApiRequest` writes an app's API functions' changes to. */
const responseOf = (reply: FastifyLikeReply) => new FastifyResponse(reply);

/** The `onRequest` hook: answers the core's endpoints, lets every other request through. */
async function serveApi(req: FastifyLikeRequest, reply: FastifyLikeReply): Promise<unknown> {
  try {
    const answer = await handleApiRequest(new FastifyRequest(req), reply, responseOf);
    if (answer === null) return undefined;
    const response = new FastifyResponse(reply);
    const { status, body } = applyMutations(response, answer);
    response.send(status, body);
    return reply;
  } catch (err) {
    const answered = answerError(err, req, reply);
    if (answered === false) throw err;
    if (answered !== true) await answered;
    return reply;
  }
}

/**
 * The Fastify plugin: `app.register(plugin)`. Marked `skip-override` (as `fastify-plugin` does)
 * so its hook applies to the whole app. The hook runs at `onRequest`, before body parsing: the
 * core's endpoints read no body.
 */
export const plugin = Object.assign(
  async function tesseraPlugin(fastify: FastifyLikeInstance): Promise<void> {
    fastify.addHook("onRequest", serveApi);
  },
  {
    [Symbol.for("skip-override")]: true,
    [Symbol.for("fastify.display-name")]: "tessera-session",
  },
);

/** For `app.setErrorHandler(errorHandler())`: answers session errors; any other error gets
 * Fastify's usual error reply. */
export function errorHandler() {
  return (err: unknown, req: FastifyLikeRequest, reply: FastifyLikeReply): unknown => {
    if (reply.sent) return undefined;
    const answered = answerError(err, req, reply);
    if (answered === false) return reply.send(err);
    return answered === true ? reply : answered.then(() => reply);
  };
}

export default { plugin, errorHandler };
