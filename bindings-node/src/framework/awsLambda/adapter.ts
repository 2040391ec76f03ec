/** An API Gateway (v1 REST or v2 HTTP) event as the core's request, and the handler's result
 * as its response (§3.6 of the integration spec). */
import type { RequestAdapter } from "../request";
import { headerList } from "../request";
import { QueuedResponse, RecordResponse, deferredFor, queuedFor } from "../deferred";

export { deferredFor };

/** The parts of an API Gateway v1 or v2 event this adapter reads. */
export interface LambdaEvent {
  version?: string;
  httpMethod?: string;
  path?: string;
  rawPath?: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  cookies?: string[];
  requestContext?: { stage?: string; http?: { method?: string; path?: string } };
  [key: string]: unknown;
}

/** The result a Lambda handler returns to API Gateway. */
export interface LambdaResult {
  statusCode?: number;
  headers?: Record<string, boolean | number | string>;
  multiValueHeaders?: Record<string, Array<boolean | number | string>>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
  [key: string]: unknown;
}

/** A v2 (HTTP API) event: it carries `version: "2.0"` and `requestContext.http`. */
export function isV2(event: LambdaEvent): boolean {
  return event.version === "2.0" || (event.httpMethod === undefined && event.requestContext?.http !== undefined);
}

export class AwsRequest implements RequestAdapter {
  readonly wrapperUsed = true;
  constructor(readonly original: LambdaEvent) {}

  method(): string {
    return this.original.httpMethod ?? this.original.requestContext?.http?.method ?? "GET";
  }

  path(): string {
    const e = this.original;
    let path: string;
    let query = "";
    if (isV2(e)) {
      path = e.requestContext?.http?.path ?? e.rawPath ?? "/";
      const stage = e.requestContext?.stage;
      if (stage !== undefined && stage !== "$default" && path.startsWith(`/${stage}/`)) path = path.slice(stage.length + 1);
      if (e.rawQueryString) query = `?${e.rawQueryString}`;
    } else {
      path = e.path ?? "/";
      const params = Object.entries(e.queryStringParameters ?? {}).filter(([, v]) => v !== undefined) as [string, string][];
      if (params.length > 0) query = `?${new URLSearchParams(params).toString()}`;
    }
    return path + query;
  }

  headerValues(name: string): string[] {
    const lower = name.toLowerCase();
    const values: string[] = [];
    const multi = this.original.multiValueHeaders ?? {};
    const single = this.original.headers ?? {};
    let fromMulti = false;
    for (const [k, v] of Object.entries(multi)) {
      if (k.toLowerCase() === lower && v !== undefined && v !== null) {
        values.push(...headerList(v));
        fromMulti = true;
      }
    }
    if (!fromMulti) {
      for (const [k, v] of Object.entries(single)) {
        if (k.toLowerCase() === lower) values.push(...headerList(v));
      }
    }
    if (lower === "cookie" && Array.isArray(this.original.cookies) && this.original.cookies.length > 0) {
      values.push(this.original.cookies.join("; "));
    }
    return values;
  }
}

/** What supertokens-node keeps on a Lambda event (`event.supertokens`): the response headers
 * and `Set-Cookie` values queued for the handler's result. */
export interface SupertokensEventData {
  response: {
    headers: { key: string; value: boolean | number | string; allowDuplicateKey: boolean }[];
    cookies: string[];
  };
}

/**
 * The response of a Lambda invocation: changes are queued on the event and merged into the
 * handler's result by `verifySession`/`middleware` (supertokens-node's `sendResponse`).
 *
 * The queue is also shown on the event as `event.supertokens.response` (`{headers, cookies}`),
 * as supertokens-node keeps it there: code written for it reads the `Set-Cookie` values from
 * there (the docs' API Gateway authorizer passes them on in its context). It is a copy, kept up
 * to date as changes are queued; the result is made from the queue.
 */
export class AwsResponse extends QueuedResponse<LambdaEvent> {
  constructor(original: LambdaEvent) {
    super(original);
    if (original !== null && typeof original === "object") this.mirror();
  }

  override setHeader(name: string, value: string): void {
    super.setHeader(name, value);
    this.mirror();
  }

  override removeHeader(name: string): void {
    super.removeHeader(name);
    this.mirror();
  }

  override addSetCookie(cookieName: string, headerValue: string): void {
    super.addSetCookie(cookieName, headerValue);
    this.mirror();
  }

  /** Copies the event's queue to `event.supertokens.response`. */
  private mirror(): void {
    const queue = queuedFor(this.original);
    const response = queue === undefined ? { headers: [], cookies: [] } : queue.snapshot();
    (this.original as { supertokens?: SupertokensEventData }).supertokens = { response };
  }
}

/** A handler's result in the shape API Gateway would give it (a v2 result may be a bare body). */
function normalise(event: LambdaEvent, result: unknown): LambdaResult {
  if (result !== null && typeof result === "object" && "statusCode" in (result as object)) return result as LambdaResult;
  if (!isV2(event)) return (result ?? {}) as LambdaResult;
  if (result === undefined || result === null) return { statusCode: 200 };
  if (typeof result === "string") return { statusCode: 200, body: result };
  return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(result) };
}

/**
 * Merges the changes queued for `event` into the handler's `result`: headers case-insensitively,
 * cookies into `cookies` (v2) or `multiValueHeaders["Set-Cookie"]` (v1).
 */
export function sendResponse(event: LambdaEvent, result: unknown): LambdaResult {
  const queue = queuedFor(event);
  if (queue === undefined || queue.isEmpty()) return result as LambdaResult;
  const out = normalise(event, result);
  const headers = (out.headers ??= {}) as Record<string, unknown>;
  const v2 = isV2(event);
  const cookieList = v2
    ? { get: () => out.cookies ?? [], set: (list: string[]) => void (out.cookies = list) }
    : {
        get: () => {
          const mv = out.multiValueHeaders ?? {};
          const key = Object.keys(mv).find((k) => k.toLowerCase() === "set-cookie");
          return key === undefined ? [] : (mv[key] ?? []).map(String);
        },
        set: (list: string[]) => {
          const mv = (out.multiValueHeaders ??= {});
          for (const k of Object.keys(mv)) if (k.toLowerCase() === "set-cookie") delete mv[k];
          mv["Set-Cookie"] = list;
        },
      };
  queue.applyTo(new RecordResponse(headers, cookieList));
  return out;
}

/** A whole answer made by the core (an endpoint's, or an error's). */
export function coreResult(status: number | null, body: string | null): LambdaResult {
  const result: LambdaResult = { statusCode: status ?? 200, body: body ?? "" };
  if (body !== null) result.headers = { "Content-Type": "application/json; charset=utf-8" };
  return result;
}
