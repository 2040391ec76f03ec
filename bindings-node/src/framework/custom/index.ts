/**
 * `tessera-session/framework/custom` (supertokens-node's `supertokens-node/framework/custom`):
 * the request and response `withPreParsedRequestResponse` (`tessera-session/nextjs`) hands its
 * callback, to pass on to `Session.getSession` or `Session.createNewSession` in a Next.js route
 * handler (`init({ framework: "custom" })`):
 *
 * ```ts
 * withPreParsedRequestResponse(request, async (baseRequest: PreParsedRequest, baseResponse: CollectingResponse) => {
 *   const session = await Session.getSession(baseRequest, baseResponse);
 *   ...
 * });
 * ```
 */
export { FetchRequest as PreParsedRequest } from "../../nextjs/adapter";
export type { PartialNextRequest } from "../../nextjs/adapter";
export { DeferredResponse as CollectingResponse } from "../deferred";

import { FetchRequest } from "../../nextjs/adapter";
import { DeferredResponse } from "../deferred";
export default { PreParsedRequest: FetchRequest, CollectingResponse: DeferredResponse };
