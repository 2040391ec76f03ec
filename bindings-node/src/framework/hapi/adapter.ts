/** Hapi's request and response as the core's (§3.2 of the integration spec). */
import type { Request, ResponseObject } from "@hapi/hapi";
import type { RequestAdapter } from "../request";
import { headerList } from "../request";
import { QueuedResponse, RecordResponse, deferredFor, queuedFor } from "../deferred";

export { deferredFor };

export class HapiRequest implements RequestAdapter {
  readonly wrapperUsed = true;
  constructor(readonly original: Request) {}

  method(): string {
    return this.original.method ?? "GET";
  }

  path(): string {
    const url = this.original.url as URL | undefined;
    if (url !== undefined && url !== null) return url.pathname + url.search;
    return this.original.path ?? "/";
  }

  headerValues(name: string): string[] {
    return headerList(this.original.headers[name] as string | string[] | undefined);
  }
}

/**
 * The response of a Hapi request: Hapi builds it only after the handler, so changes are queued
 * on the request and written by the plugin's `onPreResponse` (supertokens-node's
 * `lazyHeaders`). Cookies are raw `Set-Cookie` values, not `h.state`.
 */
export class HapiResponse extends QueuedResponse<Request> {}

/**
 * A Hapi header record, whose keys Hapi keeps lowercase (its `response.header()` lowercases
 * them, and its CORS appends its own `access-control-expose-headers` to the lowercase key). A
 * header is written under its lowercase name, any other spelling of it removed: written as
 * `Access-Control-Expose-Headers`, Hapi's CORS would make a second key and Node would send
 * Hapi's alone, dropping `front-token` and the `st-*-token` names from what the browser may read.
 */
class HapiHeaders extends RecordResponse {
  override setHeader(name: string, value: string): void {
    this.removeHeader(name);
    this.original[name.toLowerCase()] = value;
  }
}

/** A built Hapi response (or a Boom's output headers) as a writable header record. */
export function recordOf(headers: Record<string, unknown>): RecordResponse {
  return new HapiHeaders(headers, {
    get: () => headerList(headers["set-cookie"] as string | string[] | undefined),
    set: (list) => {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === "set-cookie") delete headers[k];
      headers["set-cookie"] = list;
    },
  });
}

/** Writes the changes queued for `request` onto `response` (a response object or a Boom). */
export function flush(request: Request, response: unknown): void {
  const queue = queuedFor(request);
  if (queue === undefined || queue.isEmpty() || response === null || response === undefined) return;
  const r = response as { isBoom?: boolean; output?: { headers: Record<string, unknown> }; headers?: Record<string, unknown> };
  let headers: Record<string, unknown> | undefined;
  if (r.isBoom === true && r.output !== undefined) headers = r.output.headers;
  else headers = r.headers;
  if (headers === undefined || headers === null) return;
  queue.applyTo(recordOf(headers));
}

export type { ResponseObject };
