/**
 * The Hapi integration (supertokens-node's `supertokens-node/framework/hapi`):
 *
 * ```ts
 * await server.register(plugin);   // serves {apiBasePath}/session/refresh, /signout, /jwt/jwks.json,
 *                                  // writes queued headers and cookies, answers session errors
 * server.route({ method: "GET", path: "/x", options: { pre: [{ method: verifySession() }] },
 *   handler: (req: SessionRequest) => req.session!.getUserId() });
 * ```
 */
import type { Request, ResponseToolkit, Server, ResponseObject } from "@hapi/hapi";
import { TesseraError } from "../../error";
// The session interface (supertokens-node's type): what apps may also store there.
import type { SessionContainerInterface as SessionContainer } from "../../recipe/session/sessionContainer";
import { errorAnswer, whenAnswered } from "../../recipe/session/common";
import type { Mutations } from "../../native";
import { engine } from "../../state";
import { handleApiRequest } from "../api";
import { applyMutations } from "../response";
import { HapiRequest, HapiResponse, deferredFor, flush } from "./adapter";

export { HapiRequest, HapiResponse };

/** Hapi's request with the session `verifySession` stores. */
export type SessionRequest<R = Request> = R & { session?: SessionContainer };

/** A Hapi response for an answer made by the core, carrying the request's queued changes. */
export function answerResponse(request: Request, h: ResponseToolkit, mutations: Mutations): ResponseObject {
  const { status, body } = applyMutations(new HapiResponse(request), mutations);
  const response = h.response(body ?? "").code(status ?? 200);
  if (body !== null) response.type("application/json; charset=utf-8");
  flush(request, response);
  return response;
}

/** The protocol's answer to a session error (a Promise of it when the app's error handler
 * answers), or null for any other error. */
export function errorResponse(request: Request, h: ResponseToolkit, err: unknown): ResponseObject | Promise<ResponseObject> | null {
  if (!(err instanceof TesseraError) || !err.isSessionError()) return null;
  return whenAnswered(errorAnswer(engine(), new HapiRequest(request), err), (answer) => answerResponse(request, h, answer));
}

/** The response adapter `handleApiRequest` writes an app's API functions' changes to: the
 * request's queue, written by {@link answerResponse} with the answer. */
const responseOf = (request: Request) => new HapiResponse(request);

/**
 * Hapi's error for the request's Cookie header when a route would refuse it (its cookie parsing
 * fails and the routes' `state.failAction` is "error", Hapi's default), else null.
 * supertokens-node's plugin serves its endpoints after that parsing, on a catch-all route of its
 * own under apiBasePath, so such a request gets Hapi's 400 there; Tessera's serves them at
 * onRequest, before the parsing, and answers it with the same error.
 */
async function cookieError(request: Request): Promise<unknown> {
  const header: unknown = request.headers.cookie;
  if (typeof header !== "string" || header === "") return null;
  const routes = request.server.settings.routes as { state?: { failAction?: unknown } } | undefined;
  if ((routes?.state?.failAction ?? "error") !== "error") return null;
  try {
    await request.server.states.parse(header);
    return null;
  } catch (err) {
    return err;
  }
}

async function onRequest(request: Request, h: ResponseToolkit) {
  const adapter = new HapiRequest(request);
  if (request.headers.cookie !== undefined && engine().isApiRequest(adapter.method(), adapter.path())) {
    const refused = await cookieError(request);
    if (refused !== null) throw refused;
  }
  let answer: Mutations | null;
  try {
    answer = await handleApiRequest(adapter, request, responseOf);
  } catch (err) {
    const response = errorResponse(request, h, err);
    if (response === null) throw err;
    return (response instanceof Promise ? await response : response).takeover();
  }
  if (answer === null) return h.continue;
  return answerResponse(request, h, answer).takeover();
}

function onPreResponse(request: Request, h: ResponseToolkit) {
  const response = request.response as unknown;
  if (response instanceof TesseraError && (response as { isBoom?: boolean }).isBoom === true) {
    let answer: ResponseObject | Promise<ResponseObject> | null = null;
    try {
      answer = errorResponse(request, h, response);
    } catch {
      answer = null;
    }
    // An error handler that fails leaves Hapi's own answer, as an error here does.
    if (answer instanceof Promise) return answer.catch(() => passOn(request, h, response));
    if (answer !== null) return answer;
  }
  return passOn(request, h, response);
}

function passOn(request: Request, h: ResponseToolkit, response: unknown) {
  flush(request, response);
  return h.continue;
}

/** The Hapi plugin: `await server.register(plugin)`. */
export const plugin = {
  name: "tessera-session",
  version: "0.1.0",
  register(server: Server): void {
    server.ext("onRequest", onRequest);
    server.ext("onPreResponse", onPreResponse);
  },
};

export { deferredFor };
export default { plugin };
