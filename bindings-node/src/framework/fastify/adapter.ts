/** Fastify's `request`/`reply` as the core's request and response (§3.3 of the integration spec). */
import type { RequestAdapter } from "../request";
import { headerList } from "../request";
import type { ResponseAdapter } from "../response";
import { isContentType, setCookieName } from "../response";

/** The parts of Fastify's request this adapter reads. */
export interface FastifyLikeRequest {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The parts of Fastify's reply this adapter writes. */
export interface FastifyLikeReply {
  readonly sent: boolean;
  getHeader(name: string): string | string[] | number | undefined;
  header(name: string, value: unknown): unknown;
  removeHeader(name: string): unknown;
  code(statusCode: number): unknown;
  send(payload?: unknown): unknown;
}

export class FastifyRequest implements RequestAdapter {
  readonly wrapperUsed = true;
  constructor(readonly original: FastifyLikeRequest) {}

  method(): string {
    return this.original.method ?? "GET";
  }

  path(): string {
    return this.original.url ?? "/";
  }

  headerValues(name: string): string[] {
    return headerList(this.original.headers[name]);
  }
}

/** Writes onto the live reply with `reply.header`; once it is sent, changes are dropped. */
export class FastifyResponse implements ResponseAdapter {
  readonly wrapperUsed = true;
  /** Whether the answer being applied set `Content-Type` (see `isContentType`). */
  private typeSet = false;
  constructor(readonly original: FastifyLikeReply) {}

  getHeader(name: string): string | null {
    const list = headerList(this.original.getHeader(name));
    return list.length === 0 ? null : list.join(", ");
  }

  setHeader(name: string, value: string): void {
    if (isContentType(name)) this.typeSet = true;
    if (!this.original.sent) this.original.header(name, value);
  }

  removeHeader(name: string): void {
    if (!this.original.sent) this.original.removeHeader(name);
  }

  /** `Set-Cookie` is rebuilt as an array (Fastify's `reply.header` appends to it otherwise). */
  addSetCookie(cookieName: string, headerValue: string): void {
    if (this.original.sent) return;
    const kept = headerList(this.original.getHeader("set-cookie")).filter((c) => setCookieName(c) !== cookieName);
    kept.push(headerValue);
    this.original.removeHeader("set-cookie");
    this.original.header("set-cookie", kept);
  }

  /** Sends a whole answer made by the core (an endpoint's, or an error's). */
  send(status: number | null, bodyJson: string | null): void {
    if (this.original.sent) return;
    this.original.code(status ?? 200);
    if (bodyJson !== null && !this.typeSet) this.original.header("content-type", "application/json; charset=utf-8");
    this.original.send(bodyJson ?? "");
  }
}
