/**
 * The native addon's contract, as this facade uses it, and its loader.
 *
 * Everything about the protocol (tokens, cookies, anti-CSRF, status codes, bodies) is decided
 * by the core behind these functions; the facade converts arguments, calls, maps errors
 * ({@link ./error}) and applies the returned {@link Mutations}.
 */

/** One header change: `set` replaces, `remove` deletes, `append` merges into a list header. */
export interface HeaderOp {
  op: "set" | "remove" | "append";
  name: string;
  value: string | null;
}

/** What the core asks of a response. `cookies[].header` is a complete `Set-Cookie` value. */
export interface Mutations {
  status: number | null;
  body: string | null;
  headers: HeaderOp[];
  cookies: { name: string; header: string }[];
}

/** The request headers the core reads, as `[lowercase name, value]` pairs. */
export type Headers = [string, string][];

/** A session as the core returns it (a native class with getters). */
export interface NativeSession {
  readonly accessToken: string;
  readonly userId: string;
  readonly recipeUserId: string;
  readonly tenantId: string;
  readonly handle: string;
  readonly payloadJson: string;
  readonly accessTokenExpiryMs: number;
  readonly accessTokenCreatedMs: number;
  readonly frontToken: string;
  readonly refreshToken: string | null | undefined;
  readonly refreshTokenExpiryMs: number | null | undefined;
  readonly antiCsrfToken: string | null | undefined;
  readonly accessTokenUpdated: boolean;
  readonly transfer: string;
}

/** A native call that may carry response changes along with a session. */
export interface SessionWithMutations {
  session: NativeSession | null;
  mutations: Mutations | null;
}

export interface NativeEngine {
  verifySession(
    method: string,
    path: string,
    headers: Headers,
    sessionRequired: boolean,
    antiCsrfCheck: boolean | null | undefined,
    checkDatabase: boolean,
    nowMs?: number,
  ): unknown;
  verifySessionAsync(
    method: string,
    path: string,
    headers: Headers,
    sessionRequired: boolean,
    antiCsrfCheck: boolean | null | undefined,
    checkDatabase: boolean,
    nowMs?: number,
  ): Promise<unknown>;
  isApiRequest(method: string, path: string): boolean;
  errorResponse(
    method: string,
    path: string,
    headers: Headers,
    code: string,
    message: string,
    payloadJson: string | null,
    clearTokens: boolean,
  ): Mutations;
  createNewSession(
    method: string,
    path: string,
    headers: Headers,
    tenantId: string,
    recipeUserId: string,
    payloadJson: string,
    dataJson: string,
  ): Promise<SessionWithMutations>;
  createNewSessionWithoutRequestResponse(
    tenantId: string,
    recipeUserId: string,
    payloadJson: string,
    dataJson: string,
    disableAntiCsrf: boolean,
  ): Promise<NativeSession>;
  getSessionWithoutRequestResponse(
    accessToken: string,
    antiCsrfToken: string | null,
    sessionRequired: boolean,
    antiCsrfCheck: boolean | null,
    checkDatabase: boolean,
  ): Promise<NativeSession | null>;
  refreshSession(method: string, path: string, headers: Headers): Promise<SessionWithMutations>;
  refreshSessionWithoutRequestResponse(
    refreshToken: string,
    disableAntiCsrf: boolean,
    antiCsrfToken: string | null,
  ): Promise<NativeSession>;
  handleApiRequest(method: string, path: string, headers: Headers): Promise<Mutations | null>;
  mergeIntoAccessTokenPayloadInSession(session: NativeSession, updateJson: string): Promise<SessionWithMutations>;
  revokeSessionInRequest(session: NativeSession): Promise<Mutations>;
  revokeSession(handle: string): Promise<boolean>;
  revokeMultipleSessions(handles: string[]): Promise<string[]>;
  revokeAllSessionsForUser(userId: string, tenantId: string | null): Promise<string[]>;
  getAllSessionHandlesForUser(userId: string, tenantId: string | null): Promise<string[]>;
  getSessionInformation(handle: string): Promise<string | null>;
  updateSessionDataInDatabase(handle: string, dataJson: string): Promise<boolean>;
  mergeIntoAccessTokenPayload(handle: string, updateJson: string): Promise<boolean>;
  jwksJson(): Promise<string> | string;
}

export interface NativeModule {
  Engine: new (configJson: string) => NativeEngine;
  allErrorKinds(): string[];
  appendToHeaderList(existing: string | null, value: string): string;
  REQUEST_HEADERS: string[];
  CORS_ALLOWED_HEADERS: string[];
}

let loaded: NativeModule | undefined;

/** The addon (`bindings-node/native.js`, the napi-rs loader), loaded on first use. */
export function native(): NativeModule {
  if (loaded === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require("../native.js") as NativeModule;
  }
  return loaded;
}
