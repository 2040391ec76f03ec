/**
 * `Session.init({ errorHandlers })`: the application's answers to session errors, with
 * supertokens-node's names and arguments. The protocol still decides what the response must
 * carry before a handler runs (the core's error prelude: cleared tokens, expired older-domain
 * cookies); the handler then writes status and body on a {@link HandlerResponse}, whose
 * changes become the core's `Mutations`, so that every framework integration sends them the
 * way it sends the core's own answers.
 */
import { TesseraError } from "../../error";
import type { CookieOp, HeaderOp, Mutations } from "../../native";
import { RecipeUserId } from "../../recipeUserId";
import type { BaseRequest } from "../../state";

/** supertokens-node's `BaseResponse`, as far as an error handler needs it. */
export interface BaseResponse {
  /** Always undefined: the handler's writes are collected, then sent by the integration. */
  readonly original: unknown;
  readonly wrapperUsed: true;
  setStatusCode(statusCode: number): void;
  /** Sends `content` as JSON. */
  sendJSONResponse(content: unknown): void;
  sendHTMLResponse(html: string): void;
  /** With `allowDuplicateKey`, `value` is added to the header's comma-separated list. */
  setHeader(key: string, value: string, allowDuplicateKey?: boolean): void;
  removeHeader(key: string): void;
  /** `expires` is in ms since the epoch. */
  setCookie(
    key: string,
    value: string,
    domain: string | undefined,
    secure: boolean,
    httpOnly: boolean,
    expires: number,
    path: string,
    sameSite: "strict" | "lax" | "none",
  ): void;
}

/** What supertokens-node passes as `userContext` to handlers called for a request. */
export type UserContext = Record<string, unknown>;

/** The claim validation failures of an `INVALID_CLAIMS` error. */
export interface ClaimValidationError {
  id: string;
  reason?: unknown;
}

/** `Session.init({ errorHandlers })`, as in supertokens-node. A handler left out keeps the
 * protocol's answer. */
export interface ErrorHandlers {
  onUnauthorised?: (message: string, request: BaseRequest, response: BaseResponse, userContext: UserContext) => Promise<void> | void;
  onTryRefreshToken?: (message: string, request: BaseRequest, response: BaseResponse, userContext: UserContext) => Promise<void> | void;
  onTokenTheftDetected?: (
    sessionHandle: string,
    userId: string,
    recipeUserId: RecipeUserId,
    request: BaseRequest,
    response: BaseResponse,
    userContext: UserContext,
  ) => Promise<void> | void;
  onInvalidClaim?: (
    validationErrors: ClaimValidationError[],
    request: BaseRequest,
    response: BaseResponse,
    userContext: UserContext,
  ) => Promise<void> | void;
  onClearDuplicateSessionCookies?: (
    message: string,
    request: BaseRequest,
    response: BaseResponse,
    userContext: UserContext,
  ) => Promise<void> | void;
}

/** The handler answering each session error code. */
const HANDLER_OF: Readonly<Record<string, keyof ErrorHandlers>> = {
  UNAUTHORISED: "onUnauthorised",
  TRY_REFRESH_TOKEN: "onTryRefreshToken",
  TOKEN_THEFT_DETECTED: "onTokenTheftDetected",
  INVALID_CLAIMS: "onInvalidClaim",
  CLEAR_DUPLICATE_SESSION_COOKIES: "onClearDuplicateSessionCookies",
};

const HANDLER_NAMES: readonly string[] = Object.values(HANDLER_OF);

/** The handlers as `Session.init` keeps them, and the error codes they answer. */
export interface InstalledErrorHandlers {
  readonly handlers: ErrorHandlers;
  readonly codes: string[];
}

/**
 * Checks `Session.init`'s `errorHandlers`; undefined when it gives none, so that an app
 * without handlers keeps the paths that never look for one.
 * @throws TesseraError `INVALID_CONFIG` naming a key that is not a handler's name (a typo
 * such as `onUnauthorized` would otherwise leave the protocol's answer in place silently), or
 * a handler that is not a function.
 */
export function installErrorHandlers(given: unknown): InstalledErrorHandlers | undefined {
  if (given === undefined || given === null) return undefined;
  if (typeof given !== "object") {
    throw new TesseraError({ type: "INVALID_CONFIG", message: "errorHandlers must be an object of functions" });
  }
  const handlers: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(given)) {
    if (!HANDLER_NAMES.includes(name)) {
      throw new TesseraError({
        type: "INVALID_CONFIG",
        message: `errorHandlers.${name} is not a session error handler (use ${HANDLER_NAMES.join(", ")})`,
      });
    }
    if (handler === undefined) continue;
    if (typeof handler !== "function") {
      throw new TesseraError({ type: "INVALID_CONFIG", message: `errorHandlers.${name} must be a function` });
    }
    handlers[name] = handler;
  }
  const codes = Object.keys(HANDLER_OF).filter((code) => handlers[HANDLER_OF[code] as string] !== undefined);
  return codes.length === 0 ? undefined : { handlers: handlers as ErrorHandlers, codes };
}

/** A handler's call for `error`, its arguments bound but the request's, the response and the
 * user context; undefined when the app gave no handler for the error's code. */
export type HandlerCall = (request: BaseRequest, response: BaseResponse, userContext: UserContext) => Promise<void> | void;

export function handlerCall(installed: InstalledErrorHandlers, error: TesseraError): HandlerCall | undefined {
  const h = installed.handlers;
  switch (error.type) {
    case "UNAUTHORISED":
      return h.onUnauthorised && ((req, res, uc) => h.onUnauthorised?.(error.message, req, res, uc));
    case "TRY_REFRESH_TOKEN":
      return h.onTryRefreshToken && ((req, res, uc) => h.onTryRefreshToken?.(error.message, req, res, uc));
    case "TOKEN_THEFT_DETECTED": {
      if (h.onTokenTheftDetected === undefined) return undefined;
      const payload = (error.payload ?? {}) as { sessionHandle?: string; userId?: string; recipeUserId?: unknown };
      const userId = payload.userId as string;
      const rid = payload.recipeUserId ?? userId;
      const recipeUserId = (typeof rid === "string" ? new RecipeUserId(rid) : rid) as RecipeUserId;
      return (req, res, uc) => h.onTokenTheftDetected?.(payload.sessionHandle as string, userId, recipeUserId, req, res, uc);
    }
    case "INVALID_CLAIMS": {
      const errors = (Array.isArray(error.payload) ? error.payload : []) as ClaimValidationError[];
      return h.onInvalidClaim && ((req, res, uc) => h.onInvalidClaim?.(errors, req, res, uc));
    }
    case "CLEAR_DUPLICATE_SESSION_COOKIES":
      return (
        h.onClearDuplicateSessionCookies &&
        ((req, res, uc) => h.onClearDuplicateSessionCookies?.(error.message, req, res, uc))
      );
    default:
      return undefined;
  }
}

/** A cookie's `Set-Cookie` value, as supertokens-node's frameworks serialise `setCookie`. */
export function setCookieHeader(
  key: string,
  value: string,
  domain: string | undefined,
  secure: boolean,
  httpOnly: boolean,
  expires: number,
  path: string,
  sameSite: string,
): string {
  let header = `${key}=${encodeURIComponent(value)}`;
  if (domain !== undefined) header += `; Domain=${domain}`;
  header += `; Path=${path}; Expires=${new Date(expires).toUTCString()}`;
  if (httpOnly) header += "; HttpOnly";
  if (secure) header += "; Secure";
  const same = sameSite.toLowerCase();
  header += `; SameSite=${same.charAt(0).toUpperCase()}${same.slice(1)}`;
  return header;
}

/**
 * The response a handler writes to: it starts from the core's prelude and collects the
 * handler's status, body, headers and cookies as `Mutations`, which the framework integration
 * then applies and sends as it does the core's answers. A handler that sets no status answers
 * 200, as supertokens-node's frameworks do.
 */
export class HandlerResponse implements BaseResponse {
  readonly original: unknown = undefined;
  readonly wrapperUsed = true;
  private status: number | null = null;
  private body: string | null = null;
  private readonly headers: HeaderOp[];
  private readonly cookies: CookieOp[];

  constructor(prelude: Mutations) {
    this.headers = [...(prelude.headers ?? [])];
    this.cookies = [...(prelude.cookies ?? [])];
  }

  setStatusCode(statusCode: number): void {
    this.status = statusCode;
  }

  sendJSONResponse(content: unknown): void {
    this.body = JSON.stringify(content) ?? "";
  }

  sendHTMLResponse(html: string): void {
    this.headers.push({ op: "set", name: "Content-Type", value: "text/html; charset=utf-8" });
    this.body = html;
  }

  setHeader(key: string, value: string, allowDuplicateKey = false): void {
    this.headers.push({ op: allowDuplicateKey ? "append" : "set", name: key, value });
  }

  removeHeader(key: string): void {
    this.headers.push({ op: "remove", name: key, value: null });
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
    const header = setCookieHeader(key, value, domain, secure, httpOnly, expires, path, sameSite);
    this.cookies.push({ name: key, header });
  }

  /** What the handler wrote, in the shape the integrations apply. */
  mutations(): Mutations {
    return { status: this.status ?? 200, body: this.body, headers: this.headers, cookies: this.cookies };
  }
}

/** Runs `call` on a response that starts with `prelude`; resolves with what it wrote. */
export async function runHandler(call: HandlerCall, request: BaseRequest, prelude: Mutations): Promise<Mutations> {
  const response = new HandlerResponse(prelude);
  await call(request, response, { _default: { request } });
  return response.mutations();
}
