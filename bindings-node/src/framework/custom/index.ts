/**
 * `tessera-session/framework/custom` (supertokens-node's `supertokens-node/framework/custom`): a
 * request and a response for frameworks without an integration of their own, and the
 * middleware and error handler that serve the core's endpoints onto them
 * (`init({ framework: "custom" })`):
 *
 * ```ts
 * const baseRequest = new PreParsedRequest({ method, url, headers, cookies, query, getJSONBody, getFormBody });
 * const baseResponse = new CollectingResponse();
 * const { handled, error } = await middleware()(baseRequest, baseResponse);
 * // handled: send baseResponse.statusCode, baseResponse.headers, baseResponse.cookies, baseResponse.body
 * ```
 *
 * `withPreParsedRequestResponse` (`tessera-session/nextjs`) hands its callback these two too, for
 * `Session.getSession(baseRequest, baseResponse)` and `Session.createNewSession(...)`.
 */
import { TesseraError } from "../../error";
import { getCookieFromRequest, getQueryFromRequest, FetchRequest } from "../../nextjs/adapter";
import { errorAnswer, whenAnswered } from "../../recipe/session/common";
import { setCookieHeader } from "../../recipe/session/errorHandlers";
import type { SessionContainerInterface as SessionContainer } from "../../recipe/session/sessionContainer";
import { engine } from "../../state";
import { handleApiRequest } from "../api";
import { DeferredResponse } from "../deferred";
import type { RequestAdapter } from "../request";
import { applyMutations, setCookieName } from "../response";
import { wrapRequest } from "../wrap";

export type { PartialNextRequest } from "../../nextjs/adapter";

/** What a {@link PreParsedRequest} is made of: the request as the framework parsed it. */
export interface RequestInfo {
  url: string;
  method: string;
  headers: Headers;
  /** The request's cookies: the only ones the session functions read, as in supertokens-node. */
  cookies: Record<string, string>;
  query?: Record<string, string>;
  getJSONBody?: () => Promise<unknown>;
  getFormBody?: () => Promise<unknown>;
  /** Called with the session a verification attaches to the request. */
  setSession?: (session: SessionContainer) => void;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

/** A request as a framework parsed it (supertokens-node's `PreParsedRequest`), to pass to the
 * session functions and to {@link middleware}. */
export class PreParsedRequest extends FetchRequest {
  private _session: SessionContainer | undefined;

  constructor(private readonly info: RequestInfo) {
    super(info);
  }

  /** The session a verification attached to this request. */
  get session(): SessionContainer | undefined {
    return this._session;
  }

  set session(value: SessionContainer | undefined) {
    this._session = value;
    if (value !== undefined) this.info.setSession?.(value);
  }

  override headerValues(name: string): string[] {
    if (name !== "cookie") return super.headerValues(name);
    // The cookies given are the request's. When they are the Cookie header's own reading (what
    // `getCookieFromRequest` gives), the header is read instead: it still shows a repeated name,
    // which the protocol answers (several access tokens) as supertokens-node does.
    const header = this.info.headers.get("cookie");
    if (header !== null && sameRecord(getCookieFromRequest(this.info), this.info.cookies)) {
      return super.headerValues(name);
    }
    const pairs = Object.entries(this.info.cookies).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    return pairs.length === 0 ? [] : [pairs.join("; ")];
  }

  getMethod(): string {
    return this.method().toLowerCase();
  }

  getCookieValue(key: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.info.cookies, key) ? this.info.cookies[key] : undefined;
  }

  getHeaderValue(key: string): string | undefined {
    return this.info.headers.get(key) ?? undefined;
  }

  getOriginalURL(): string {
    return this.info.url;
  }

  getKeyValueFromQuery(key: string): string | undefined {
    const query = this.info.query ?? getQueryFromRequest(this.info);
    return Object.prototype.hasOwnProperty.call(query, key) ? query[key] : undefined;
  }

  async getJSONBody(): Promise<unknown> {
    return (await this.info.getJSONBody?.()) ?? {};
  }

  async getFormData(): Promise<unknown> {
    return (await this.info.getFormBody?.()) ?? {};
  }
}

/** A cookie a {@link CollectingResponse} holds (supertokens-node's `CookieInfo`): `value` as
 * set, not percent-encoded; `expires` in ms since the epoch. */
export interface CookieInfo {
  key: string;
  value: string;
  domain: string | undefined;
  secure: boolean;
  httpOnly: boolean;
  expires: number;
  path: string;
  sameSite: "strict" | "lax" | "none";
}

/** `CookieInfo` of a `Set-Cookie` value the core wrote. */
function cookieInfo(headerValue: string): CookieInfo {
  const [pair, ...attributes] = headerValue.split(";");
  const eq = pair.indexOf("=");
  const raw = eq < 0 ? "" : pair.slice(eq + 1).trim();
  let value = raw;
  try {
    value = decodeURIComponent(raw);
  } catch {
    // Not percent-encoded by us: kept as written.
  }
  const info: CookieInfo = {
    key: setCookieName(headerValue),
    value,
    domain: undefined,
    secure: false,
    httpOnly: false,
    expires: 0,
    path: "/",
    sameSite: "lax",
  };
  let maxAge: number | undefined;
  for (const attribute of attributes) {
    const at = attribute.indexOf("=");
    const name = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const v = at < 0 ? "" : attribute.slice(at + 1).trim();
    if (name === "domain") info.domain = v;
    else if (name === "path") info.path = v;
    else if (name === "secure") info.secure = true;
    else if (name === "httponly") info.httpOnly = true;
    else if (name === "expires") info.expires = Date.parse(v) || 0;
    else if (name === "max-age") maxAge = Number(v);
    else if (name === "samesite") {
      const s = v.toLowerCase();
      if (s === "strict" || s === "lax" || s === "none") info.sameSite = s;
    }
  }
  if (maxAge !== undefined && Number.isFinite(maxAge)) info.expires = Date.now() + maxAge * 1000;
  return info;
}

/**
 * A response collected rather than sent (supertokens-node's `CollectingResponse`): the session
 * functions and {@link middleware} write to it, and the framework's own response is made from
 * `statusCode`, `headers`, `cookies` and `body`.
 */
export class CollectingResponse extends DeferredResponse {
  statusCode = 200;
  /** Every header but `Set-Cookie`; the cookies are in {@link CollectingResponse.cookies}. */
  readonly headers = new Headers();
  readonly cookies: CookieInfo[] = [];
  body: string | undefined;

  /** Sets a header; with `allowDuplicateKey`, adds the value to those it already has. */
  override setHeader(name: string, value: string, allowDuplicateKey = false): void {
    const current = allowDuplicateKey ? this.headers.get(name) : null;
    const next = current === null ? value : `${current}, ${value}`;
    super.setHeader(name, next);
    this.headers.set(name, next);
  }

  override removeHeader(name: string): void {
    super.removeHeader(name);
    this.headers.delete(name);
  }

  override addSetCookie(cookieName: string, headerValue: string): void {
    super.addSetCookie(cookieName, headerValue);
    const info = cookieInfo(headerValue);
    const at = this.cookies.findIndex((c) => c.key === info.key);
    if (at >= 0) this.cookies.splice(at, 1);
    this.cookies.push(info);
  }

  setCookie(
    key: string,
    value: string,
    domain: string | undefined,
    secure: boolean,
    httpOnly: boolean,
    expires: number,
    path: string,
    sameSite: "strict" | "lax" | "none",
  ): void {
    this.addSetCookie(key, setCookieHeader(key, value, domain, secure, httpOnly, expires, path, sameSite));
  }

  setStatusCode(statusCode: number): void {
    this.statusCode = statusCode;
  }

  sendJSONResponse(content: unknown): void {
    this.setHeader("Content-Type", "application/json; charset=utf-8");
    this.body = JSON.stringify(content);
  }

  sendHTMLResponse(html: string): void {
    this.setHeader("Content-Type", "text/html");
    this.body = html;
  }
}

/** Writes `answer` (the core's, or an error's) onto `response`, with `fallback` as its status
 * when the answer has none. */
function answerOnto(response: CollectingResponse, answer: Parameters<typeof applyMutations>[1], fallback: number): void {
  const { status, body } = applyMutations(response, answer);
  response.statusCode = status ?? fallback;
  if (body !== null) {
    response.setHeader("Content-Type", "application/json; charset=utf-8");
    response.body = body;
  }
}

function sessionError(err: unknown): err is TesseraError {
  return err instanceof TesseraError && err.isSessionError();
}

const itself = (response: CollectingResponse) => response;

/** What {@link middleware}'s function resolves to: whether it answered the request (the
 * response then holds the answer), or the error it could not answer. */
export interface MiddlewareResult {
  handled?: boolean;
  error?: unknown;
}

/**
 * Serves the core's endpoints (`{apiBasePath}/session/refresh`, `/signout`, the JWKS) onto a
 * {@link CollectingResponse}: `{ handled: true }` when the request was one (its answer is in the
 * response), `{ handled: false }` (and `next()`) when not. A session error is answered on the
 * response; any other error resolves as `{ error }` (and `next(error)`).
 *
 * @param wrapper turns the framework's request into a {@link PreParsedRequest} (the default takes
 *   it as one).
 */
export function middleware<OrigReqType = PreParsedRequest>(
  wrapper: (req: OrigReqType) => RequestAdapter = (req) => req as unknown as RequestAdapter,
): (request: OrigReqType, response: CollectingResponse, next?: (err?: unknown) => void) => Promise<MiddlewareResult> {
  return async (request, response, next) => {
    let adapter: RequestAdapter | undefined;
    try {
      adapter = wrapRequest(wrapper(request));
      const answer = await handleApiRequest(adapter, response, itself);
      if (answer === null) {
        next?.();
        return { handled: false };
      }
      answerOnto(response, answer, 200);
      return { handled: true };
    } catch (err) {
      if (adapter !== undefined && sessionError(err)) {
        try {
          await whenAnswered(errorAnswer(engine(), adapter, err), (answer) => answerOnto(response, answer, 401));
          return { handled: true };
        } catch (handlerError) {
          next?.(handlerError);
          return { error: handlerError };
        }
      }
      next?.(err);
      return { error: err };
    }
  };
}

/**
 * Answers a session error thrown by the app's code on the {@link CollectingResponse} (the
 * protocol's 401/403, cleared cookies, `front-token: remove`) and calls `next()`; any other error
 * goes to `next(err)`.
 */
export function errorHandler(): (
  err: unknown,
  request: PreParsedRequest,
  response: CollectingResponse,
  next: (err?: unknown) => void,
) => Promise<void> {
  return async (err, request, response, next) => {
    if (!sessionError(err)) return next(err);
    try {
      await whenAnswered(errorAnswer(engine(), wrapRequest(request), err), (answer) => answerOnto(response, answer, 401));
    } catch (handlerError) {
      return next(handlerError);
    }
    return next();
  };
}

export default { PreParsedRequest, CollectingResponse, middleware, errorHandler };
