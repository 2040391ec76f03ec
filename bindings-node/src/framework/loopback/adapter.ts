/** LoopBack 4's `MiddlewareContext` as the core's request and response (§3.5 of the integration
 * spec): its `request` and `response` are Express's, so the Express adapter does the work. */
import type { ExpressLikeRequest, ExpressLikeResponse } from "../express/adapter";
import { ExpressRequest, ExpressResponse } from "../express/adapter";

/** The parts of LoopBack's `MiddlewareContext` the adapters use. */
export interface LoopbackLikeContext {
  request: ExpressLikeRequest;
  response: ExpressLikeResponse;
}

/** The request of a LoopBack context (what supertokens-node's docs pass as `req`: the context). */
export class LoopbackRequest extends ExpressRequest {
  constructor(ctx: LoopbackLikeContext) {
    super(ctx.request);
  }
}

/** The response of a LoopBack context (what supertokens-node's docs pass as `res`: the context). */
export class LoopbackResponse extends ExpressResponse {
  constructor(ctx: LoopbackLikeContext) {
    super(ctx.response);
  }
}
