/** The WHATWG `Request`/`Response` of Next.js route handlers (`NextRequest`, `NextResponse`, or the
 * global ones) as the core's request and response (§3.8 of the integration spec). */
import type { RequestAdapter } from "../framework/request";
import type { ResponseAdapter } from "../framework/response";
import { setCookieName } from "../framework/response";

/** What the app-router helpers read of a request: `NextRequest` and the global `Request` fit. */
export interface PartialNextRequest {
  method: string;
  url: string;
  headers: Headers;
}

/** A route handler's request as the core's request (supertokens-node's `PreParsedRequest`):
 * pass it to `Session.getSession` or `Session.createNewSession` inside
 * `withPreParsedRequestResponse`. */
export class FetchRequest implements RequestAdapter {
  readonly wrapperUsed = true;
  constructor(readonly original: PartialNextRequest) {}

  method(): string {
    return this.original.method ?? "GET";
  }

  path(): string {
    try {
      const url = new URL(this.original.url);
      return url.pathname + url.search;
    } catch {
      // Not absolute: already a path.
      return this.original.url ?? "/";
    }
  }

  headerValues(name: string): string[] {
    const value = this.original.headers.get(name);
    if (value === null) return [];
    return [name.toLowerCase() === "cookie" ? appRouterCookies(value) : value];
  }
}

/**
 * The Cookie header as supertokens-node's app-router helpers read it (`withSession`,
 * `withPreParsedRequestResponse`, `getAppDirRequestHandler`), written again for the core's
 * parser, so that a route handler sees the cookies supertokens-node's would: each `;`-separated
 * pair split at `=` (the value ends at a second `=`), percent-decoded, the last of a repeated
 * name kept, quotes and inner spaces left as they are. Where supertokens-node's decoding throws
 * (a malformed escape), the value stays as sent: the request is answered as any bad token is,
 * rather than with the error supertokens-node hands the handler.
 */
function appRouterCookies(header: string): string {
  // A repeated name is written as often as it came: supertokens-node still sees the repetition
  // in the raw header (its duplicate-cookie answers), though it reads the last value.
  const out: string[] = [];
  for (const [name, { value, count }] of parseAppRouterCookies(header)) {
    const pair = `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
    for (let i = 0; i < count; i++) out.push(pair);
  }
  return out.join("; ");
}

/** A Cookie header's cookies as supertokens-node's app-router helpers read them (see
 * `appRouterCookies`), each with how often its name came. */
function parseAppRouterCookies(header: string): Map<string, { value: string; count: number }> {
  const cookies = new Map<string, { value: string; count: number }>();
  for (const pair of header.split(";")) {
    const [name, value] = pair.trim().split("=");
    let decoded = String(value);
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      // Kept as sent (see appRouterCookies).
    }
    cookies.set(name, { value: decoded, count: (cookies.get(name)?.count ?? 0) + 1 });
  }
  return cookies;
}

/** The request's cookies by name, as supertokens-node's `getCookieFromRequest` gives them
 * (`supertokens-node/custom`): the app-router helpers' reading (see `appRouterCookies`). */
export function getCookieFromRequest(request: PartialNextRequest): Record<string, string> {
  const header = request.headers.get("cookie");
  const out: Record<string, string> = {};
  if (header) for (const [name, { value }] of parseAppRouterCookies(header)) out[name] = value;
  return out;
}

/** The request's query parameters, the last of a repeated one kept, as supertokens-node's
 * `getQueryFromRequest`. */
export function getQueryFromRequest(request: PartialNextRequest): Record<string, string> {
  const out: Record<string, string> = {};
  new URL(request.url).searchParams.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

/** Writes onto a WHATWG `Headers` (a `Response`'s). `Set-Cookie` values are kept apart, as
 * `Headers` does, so that each stays one header line. */
export class FetchHeadersResponse implements ResponseAdapter {
  readonly wrapperUsed = true;
  constructor(readonly headers: Headers) {}

  getHeader(name: string): string | null {
    return this.headers.get(name);
  }

  setHeader(name: string, value: string): void {
    this.headers.set(name, value);
  }

  removeHeader(name: string): void {
    this.headers.delete(name);
  }

  addSetCookie(cookieName: string, headerValue: string): void {
    const current = typeof this.headers.getSetCookie === "function" ? this.headers.getSetCookie() : [];
    const kept = current.filter((c) => setCookieName(c) !== cookieName);
    if (kept.length !== current.length) {
      this.headers.delete("Set-Cookie");
      for (const c of kept) this.headers.append("Set-Cookie", c);
    }
    this.headers.append("Set-Cookie", headerValue);
  }
}
