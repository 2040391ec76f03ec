/** Express's `req`/`res` as the core's request and response (§3.1 of the integration spec). */
import type { RequestAdapter } from "../request";
import { headerList } from "../request";
import type { ResponseAdapter } from "../response";
import { isContentType, setCookieName } from "../response";

/** The parts of Express's request this adapter reads (so any Node `IncomingMessage` works). */
export interface ExpressLikeRequest {
  method?: string;
  originalUrl?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The parts of Express's response this adapter writes (Node's `ServerResponse` has them). */
export interface ExpressLikeResponse {
  headersSent: boolean;
  statusCode: number;
  getHeader(name: string): string | string[] | number | undefined;
  setHeader(name: string, value: string | string[]): unknown;
  removeHeader(name: string): void;
  end(body?: string): unknown;
}

export class ExpressRequest implements RequestAdapter {
  readonly wrapperUsed = true;
  constructor(readonly original: ExpressLikeRequest) {}

  method(): string {
    return this.original.method ?? "GET";
  }

  path(): string {
    return this.original.originalUrl ?? this.original.url ?? "/";
  }

  headerValues(name: string): string[] {
    return headerList(this.original.headers[name]);
  }
}

/** Writes straight onto the live response, as supertokens-node does; once the headers are
 * sent, changes are dropped (the response can no longer carry them). */
export class ExpressResponse implements ResponseAdapter {
  readonly wrapperUsed = true;
  /** Whether the answer being applied set `Content-Type` (see `isContentType`). */
  private typeSet = false;
  constructor(readonly original: ExpressLikeResponse) {}

  getHeader(name: string): string | null {
    const value = this.original.getHeader(name);
    const list = headerList(value);
    return list.length === 0 ? null : list.join(", ");
  }

  setHeader(name: string, value: string): void {
    if (isContentType(name)) this.typeSet = true;
    if (!this.original.headersSent) this.original.setHeader(name, value);
  }

  removeHeader(name: string): void {
    if (!this.original.headersSent) this.original.removeHeader(name);
  }

  addSetCookie(cookieName: string, headerValue: string): void {
    if (this.original.headersSent) return;
    const kept = headerList(this.original.getHeader("set-cookie")).filter((c) => setCookieName(c) !== cookieName);
    kept.push(headerValue);
    this.original.setHeader("Set-Cookie", kept);
  }

  /** Sends a whole answer made by the core (an endpoint's, or an error's). */
  send(status: number | null, bodyJson: string | null): void {
    if (this.original.headersSent) return;
    this.original.statusCode = status ?? 200;
    const body = bodyJson ?? "";
    if (bodyJson !== null && !this.typeSet) this.original.setHeader("Content-Type", "application/json; charset=utf-8");
    this.original.setHeader("Content-Length", String(Buffer.byteLength(body)));
    this.original.end(body);
  }
}
