/**
 * The request side of a framework integration: what the core reads of a request. An adapter
 * never interprets cookies, tokens or headers (the core does); it only hands over the method,
 * the path and the headers the core names in `REQUEST_HEADERS`.
 */
import type { Headers } from "../native";
import { native } from "../native";

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

/** `(method, path, headers)`, the first three arguments of the engine's request functions. */
export function nativeRequest(request: RequestAdapter): [string, string, Headers] {
  const headers: Headers = [];
  for (const name of native().REQUEST_HEADERS) {
    for (const value of request.headerValues(name)) headers.push([name, value]);
  }
  return [request.method(), request.path(), headers];
}

/** Node's `IncomingHttpHeaders`-style values as a list. */
export function headerList(value: string | string[] | number | undefined | null): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  return [String(value)];
}
