/**
 * The request side of a framework integration: what the core reads of a request. An adapter
 * never interprets cookies, tokens or headers (the core does); it only hands over the method,
 * the path and the headers the core names in `REQUEST_HEADERS`.
 */
import type { Headers } from "../native";
import { native } from "../native";
import type { BaseRequest } from "../state";
import { state } from "../state";

export interface RequestAdapter {
  /** The framework's own request object. */
  readonly original: unknown;
  /** The HTTP method, any case. */
  method(): string;
  /** The request path (a query string may follow; the core ignores it). */
  path(): string;
  /** Every value of header `name` (lowercase; looked up case-insensitively). */
  headerValues(name: string): string[];
}

/** The transfer argument of the engine's request functions: what the application's
 * `getTokenTransferMethod` function says for this request, or null when it gave none (the
 * engine then uses its configured setting, and the request costs no call). */
export type Transfer = "any" | "cookie" | "header" | null;

/** `(method, path, headers)`, the first three arguments of the engine's request functions, and
 * the transfer argument that goes with them. `userContext` is what a `getTokenTransferMethod`
 * function is given (a new object when the caller has none). */
export function nativeRequest(
  request: RequestAdapter,
  forCreateNewSession = false,
  userContext?: Record<string, unknown>,
): [string, string, Headers, Transfer] {
  const headers: Headers = [];
  for (const name of native().REQUEST_HEADERS) {
    for (const value of request.headerValues(name)) headers.push(name, value);
  }
  const choose = state().getTokenTransferMethod;
  const transfer = choose === undefined ? null : choose({ req: baseRequest(request), forCreateNewSession, userContext: userContext ?? {} });
  return [request.method(), request.path(), headers, transfer];
}

/** `request` as the `req` a `getTokenTransferMethod` function reads. */
export function baseRequest(request: RequestAdapter): BaseRequest {
  return {
    original: request.original,
    wrapperUsed: true,
    getHeaderValue: (key) => request.headerValues(key.toLowerCase())[0],
    getCookieValue: (key) => native().cookieValue(request.headerValues("cookie"), key) ?? undefined,
    getMethod: () => request.method().toLowerCase(),
    getOriginalURL: () => request.path(),
  };
}

/** The list of an absent header: one frozen array for all of them, as most of the headers the
 * core asks for are absent on most requests. */
const NO_VALUES: string[] = Object.freeze([]) as unknown as string[];

/** Node's `IncomingHttpHeaders`-style values as a list (not to be modified: it may be the
 * request's own array, or one shared by every absent header). */
export function headerList(value: string | string[] | number | undefined | null): string[] {
  if (value === undefined || value === null) return NO_VALUES;
  if (Array.isArray(value)) return value;
  return [String(value)];
}
