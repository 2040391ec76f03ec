/**
 * What an `override.apis` function is given for a request: supertokens-node's `APIOptions`
 * (`req` and `res` as `BaseRequest` and `BaseResponse`) and a `userContext` carrying the request.
 * Used by the endpoints the API interface serves (`framework/api.ts`) and by the routes'
 * `verifySession` (`common.ts`).
 */
import type { Mutations } from "../../native";
import { native } from "../../native";
import type { RequestAdapter } from "../../framework/request";
import { baseRequest } from "../../framework/request";
import type { ResponseAdapter } from "../../framework/response";
import type { BaseRequest } from "../../state";
import type { BaseResponse, UserContext } from "./errorHandlers";
import { setCookieHeader } from "./errorHandlers";
import type { APIOptions, InstalledApis } from "./recipeInterface";
import { userContextWithRequest } from "./recipeInterface";

/**
 * `APIOptions.res`: supertokens-node's `BaseResponse` over a framework's response. Headers and
 * cookies go to that response at once, as supertokens-node's do; a status and body the app's
 * code sends are kept for {@link ApiResponse.answer}, because the framework integration sends
 * the endpoint's answer itself. Also a `ResponseAdapter`, so that `Session.getSession(options.req,
 * options.res)` and a session verified on it write here.
 */
export class ApiResponse implements BaseResponse, ResponseAdapter {
  readonly wrapperUsed = true;
  readonly original: unknown;
  private status = 200;
  /** What the app's code sent, if it did: the first send wins, as on a live response. */
  private sent: { status: number; body: string | null; html: boolean } | undefined;

  constructor(private readonly target: ResponseAdapter) {
    this.original = (target as { original?: unknown }).original;
  }

  getHeader(name: string): string | null {
    return this.target.getHeader(name);
  }

  /** With `allowDuplicateKey`, `value` is added to the header's comma-separated list. */
  setHeader(key: string, value: string, allowDuplicateKey = false): void {
    const merged = allowDuplicateKey ? native().appendToHeaderList(this.target.getHeader(key), value) : value;
    this.target.setHeader(key, merged);
  }

  removeHeader(key: string): void {
    this.target.removeHeader(key);
  }

  addSetCookie(cookieName: string, headerValue: string): void {
    this.target.addSetCookie(cookieName, headerValue);
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
    this.target.addSetCookie(key, setCookieHeader(key, value, domain, secure, httpOnly, expires, path, sameSite));
  }

  setStatusCode(statusCode: number): void {
    if (this.sent === undefined) this.status = statusCode;
  }

  sendJSONResponse(content: unknown): void {
    if (this.sent === undefined) this.sent = { status: this.status, body: JSON.stringify(content) ?? null, html: false };
  }

  sendHTMLResponse(html: string): void {
    if (this.sent === undefined) this.sent = { status: this.status, body: html, html: true };
  }

  /**
   * The endpoint's answer, for the framework integration to send as it sends the core's: 200
   * with `result` as JSON (supertokens-node's `send200Response`), unless the app's code already
   * sent an answer through this response. The headers and cookies are on the response already.
   */
  answer(result: unknown): Mutations {
    const sent = this.sent;
    if (sent === undefined) return { status: 200, body: JSON.stringify(result) ?? null, headers: [], cookies: [] };
    // The content type goes with the answer rather than onto the response now: an integration
    // sends with a response adapter of its own, which must see it to keep it.
    const headers: Mutations["headers"] = sent.html
      ? [{ op: "set", name: "Content-Type", value: "text/html; charset=utf-8" }]
      : [];
    return { status: sent.status, body: sent.body, headers, cookies: [] };
  }
}

/** `APIOptions.req`: the request as supertokens-node's `BaseRequest`, and as a `RequestAdapter`
 * (for the session functions that take a request). */
function apiRequest(request: RequestAdapter): BaseRequest & RequestAdapter {
  return Object.assign(baseRequest(request), {
    method: () => request.method(),
    path: () => request.path(),
    headerValues: (name: string) => request.headerValues(name),
  });
}

/**
 * The options and user context of an API function's call for `request`, whose answer goes on
 * `response`. `userContext._default.request` is `options.req`, as in supertokens-node.
 */
export function apiCall(
  apis: InstalledApis,
  request: RequestAdapter,
  response: ResponseAdapter,
): { options: APIOptions; res: ApiResponse; userContext: UserContext } {
  const req = apiRequest(request);
  const res = new ApiResponse(response);
  const userContext = userContextWithRequest({}, req, res, req);
  const options: APIOptions = {
    recipeImplementation: apis.recipeImplementation,
    config: apis.config,
    recipeId: "session",
    isInServerlessEnv: false,
    req,
    res,
  };
  return { options, res, userContext };
}
