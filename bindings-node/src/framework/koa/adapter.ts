/** Koa's `ctx` as the core's request and response (§3.4 of the integration spec). */
import type { RequestAdapter } from "../request";
import { headerList } from "../request";
import type { ResponseAdapter } from "../response";
import { isContentType, setCookieName } from "../response";

/** The parts of Koa's context this adapter reads and writes. */
export interface KoaLikeContext {
  method: string;
  originalUrl?: string;
  url: string;
  req: { headers: Record<string, string | string[] | undefined> };
  readonly headerSent: boolean;
  status: number;
  body: unknown;
  type: string;
  response: { get(field: string): unknown };
  set(field: string, value: string | string[]): void;
  append(field: string, value: string | string[]): void;
  remove(field: string): void;
}

export class KoaRequest implements RequestAdapter {
  readonly wrapperUsed = true;
  constructor(readonly original: KoaLikeContext) {}

  method(): string {
    return this.original.method ?? "GET";
  }

  path(): string {
    return this.original.originalUrl ?? this.original.url ?? "/";
  }

  headerValues(name: string): string[] {
    return headerList(this.original.req.headers[name]);
  }
}

function values(value: unknown): string[] {
  if (value === undefined || value === null || value === "") return [];
  return headerList(value as string | string[] | number);
}

/** Writes onto `ctx`; cookies are raw `Set-Cookie` values added with `ctx.append` (never
 * `ctx.cookies.set`, which re-serialises and refuses secure cookies over plain http). Once the
 * headers are sent, changes are dropped. */
export class KoaResponse implements ResponseAdapter {
  readonly wrapperUsed = true;
  /** Whether the answer being applied set `Content-Type` (see `isContentType`). */
  private typeSet = false;
  constructor(readonly original: KoaLikeContext) {}

  getHeader(name: string): string | null {
    const list = values(this.original.response.get(name));
    return list.length === 0 ? null : list.join(", ");
  }

  setHeader(name: string, value: string): void {
    if (isContentType(name)) this.typeSet = true;
    if (!this.original.headerSent) this.original.set(name, value);
  }

  removeHeader(name: string): void {
    if (!this.original.headerSent) this.original.remove(name);
  }

  addSetCookie(cookieName: string, headerValue: string): void {
    if (this.original.headerSent) return;
    const current = values(this.original.response.get("Set-Cookie"));
    const kept = current.filter((c) => setCookieName(c) !== cookieName);
    if (kept.length !== current.length) {
      this.original.remove("Set-Cookie");
      for (const c of kept) this.original.append("Set-Cookie", c);
    }
    this.original.append("Set-Cookie", headerValue);
  }

  /** Sends a whole answer made by the core (an endpoint's, or an error's). */
  send(status: number | null, bodyJson: string | null): void {
    if (this.original.headerSent) return;
    this.original.body = bodyJson ?? "";
    this.original.status = status ?? 200;
    if (bodyJson !== null && !this.typeSet) this.original.type = "application/json; charset=utf-8";
  }
}
