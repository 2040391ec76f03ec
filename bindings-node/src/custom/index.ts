/**
 * `tessera-session/custom` (supertokens-node's `supertokens-node/custom`): the helpers for a
 * framework whose route handlers take a WHATWG `Request` and return a `Response` (the Next.js
 * App Router, Remix, SvelteKit, Astro, Nuxt...), with `init({ framework: "custom" })`:
 *
 * ```ts
 * const handleCall = handleAuthAPIRequest(); // serves {apiBasePath}/session/refresh, /signout...
 * export const POST = handleCall;
 *
 * export const GET = (request: Request) =>
 *   withSession(request, async (err, session) => Response.json({ userId: session!.getUserId() }));
 *
 * const { accessTokenPayload, hasToken } = await getSessionForSSR(request); // server rendering
 * ```
 *
 * The same functions as `tessera-session/nextjs`, under supertokens-node's names for them.
 */
import type { PartialNextRequest } from "../nextjs/adapter";
import { getCookieFromRequest, getQueryFromRequest } from "../nextjs/adapter";
import type { SSRSession } from "../nextjs";
import { getAppDirRequestHandler, getSessionForSSRUsingAccessToken, withPreParsedRequestResponse, withSession } from "../nextjs";

export type { PartialNextRequest as ParsableRequest, SSRSession };
export { getCookieFromRequest, getQueryFromRequest, getSessionForSSRUsingAccessToken, withPreParsedRequestResponse, withSession };

/** A route handler serving the core's endpoints (refresh, sign-out, the JWKS); any other request
 * gets 404 "Not found", as supertokens-node's. */
export function handleAuthAPIRequest(): (req: PartialNextRequest) => Promise<Response> {
  return getAppDirRequestHandler();
}

/**
 * The session of a request being rendered on the server, from its `sAccessToken` cookie alone
 * (see `getSessionForSSRUsingAccessToken`): nothing is written, no anti-CSRF or store check.
 */
export async function getSessionForSSR(request: PartialNextRequest): Promise<SSRSession> {
  return getSessionForSSRUsingAccessToken(getCookieFromRequest(request).sAccessToken);
}

export default {
  getCookieFromRequest,
  getQueryFromRequest,
  handleAuthAPIRequest,
  getSessionForSSR,
  getSessionForSSRUsingAccessToken,
  withSession,
  withPreParsedRequestResponse,
};
