/** Picks the adapter for the `req`/`res` passed to `Session.getSession(req, res)` and friends,
 * by the `framework` given to `init` (supertokens-node's `wrapRequest`/`wrapResponse`). */
import { TesseraError } from "../error";
import { state } from "../state";
import { AwsRequest, AwsResponse } from "./awsLambda/adapter";
import { ExpressRequest, ExpressResponse } from "./express/adapter";
import { FastifyRequest, FastifyResponse } from "./fastify/adapter";
import { HapiRequest, HapiResponse } from "./hapi/adapter";
import { KoaRequest, KoaResponse } from "./koa/adapter";
import { LoopbackRequest, LoopbackResponse } from "./loopback/adapter";
import type { RequestAdapter } from "./request";
import type { ResponseAdapter } from "./response";

function isRequestAdapter(x: unknown): x is RequestAdapter {
  return typeof (x as RequestAdapter | null)?.headerValues === "function";
}

function isResponseAdapter(x: unknown): x is ResponseAdapter {
  return typeof (x as ResponseAdapter | null)?.addSetCookie === "function";
}

/* eslint-disable @typescript-eslint/no-explicit-any -- each framework's own objects, as supertokens-node takes them */
/** How each framework's raw objects become adapters: what supertokens-node's docs pass as
 * `req`/`res` (Koa and LoopBack: the context twice; Lambda: the event twice; Hapi: `request` and `h`). */
const WRAPPERS: Record<string, { request(req: any): RequestAdapter; response(res: any): ResponseAdapter }> = {
  express: { request: (req) => new ExpressRequest(req), response: (res) => new ExpressResponse(res) },
  fastify: { request: (req) => new FastifyRequest(req), response: (reply) => new FastifyResponse(reply) },
  koa: { request: (ctx) => new KoaRequest(ctx), response: (ctx) => new KoaResponse(ctx) },
  hapi: {
    request: (req) => new HapiRequest(req),
    // The toolkit `h` carries its request, where the Hapi adapter queues response changes.
    response: (h) => new HapiResponse(h?.request ?? h),
  },
  awsLambda: { request: (event) => new AwsRequest(event), response: (event) => new AwsResponse(event) },
  loopback: { request: (ctx) => new LoopbackRequest(ctx), response: (ctx) => new LoopbackResponse(ctx) },
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Frameworks whose raw request/response objects `init({framework})` accepts. */
export const FRAMEWORKS: readonly string[] = [...Object.keys(WRAPPERS), "custom"];

export function wrapRequest(req: unknown): RequestAdapter {
  if (isRequestAdapter(req)) return req;
  const framework = state().framework;
  const wrapper = WRAPPERS[framework];
  if (wrapper !== undefined) return wrapper.request(req);
  throw new TesseraError({ type: "NOT_SUPPORTED", message: `framework "${framework}": pass a RequestAdapter` });
}

export function wrapResponse(res: unknown): ResponseAdapter | null {
  if (res === undefined || res === null) return null;
  if (isResponseAdapter(res)) return res;
  const framework = state().framework;
  const wrapper = WRAPPERS[framework];
  if (wrapper !== undefined) return wrapper.response(res);
  throw new TesseraError({ type: "NOT_SUPPORTED", message: `framework "${framework}": pass a ResponseAdapter` });
}
