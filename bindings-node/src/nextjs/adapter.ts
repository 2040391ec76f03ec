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
    return value === null ? [] : [value];
  }
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
