/**
 * Tessera's one error class, and the one place where a native error becomes it.
 *
 * `type` is the core's stable code (`"UNAUTHORISED"`, `"TRY_REFRESH_TOKEN"`, ...), as in
 * supertokens-node's `Session.Error`, whose static names are kept so that code such as
 * `err.type === Session.Error.TRY_REFRESH_TOKEN` runs unchanged.
 */

/** The codes answered with the protocol's 401/403 response; the rest are 500s. */
const SESSION_ERROR_TYPES: ReadonlySet<string> = new Set([
  "UNAUTHORISED",
  "TRY_REFRESH_TOKEN",
  "TOKEN_THEFT_DETECTED",
  "INVALID_CLAIMS",
  "CLEAR_DUPLICATE_SESSION_COOKIES",
]);

/** Every code this facade knows; a test checks it covers the core's `allErrorKinds()`. */
export const KNOWN_ERROR_TYPES: readonly string[] = [
  ...SESSION_ERROR_TYPES,
  "INVALID_CONFIG",
  "INVALID_INPUT",
  "STORAGE",
  "NOT_SUPPORTED",
  "INTERNAL",
  "WOULD_BLOCK",
];

/** The message of an error made without one. Where supertokens-node throws a type with a fixed
 * message, it is that message (`assertClaims`'s `"INVALID_CLAIMS"`, `refreshSession`'s
 * `"Token theft detected"`), so that code comparing `err.message` behaves the same. */
const DEFAULT_MESSAGES: Record<string, string> = {
  UNAUTHORISED: "unauthorised",
  TRY_REFRESH_TOKEN: "try refresh token",
  TOKEN_THEFT_DETECTED: "Token theft detected",
  INVALID_CLAIMS: "INVALID_CLAIMS",
  CLEAR_DUPLICATE_SESSION_COOKIES: "clear duplicate session cookies",
};

/** supertokens-node's constructor argument: `new Session.Error({ type, message, payload })`. */
export interface TesseraErrorInit {
  type: string;
  message?: string;
  payload?: unknown;
  /** Whether answering the error clears the session's tokens (default: true for UNAUTHORISED). */
  clearTokens?: boolean;
}

export class TesseraError extends Error {
  static readonly UNAUTHORISED = "UNAUTHORISED";
  static readonly TRY_REFRESH_TOKEN = "TRY_REFRESH_TOKEN";
  static readonly TOKEN_THEFT_DETECTED = "TOKEN_THEFT_DETECTED";
  static readonly INVALID_CLAIMS = "INVALID_CLAIMS";
  static readonly CLEAR_DUPLICATE_SESSION_COOKIES = "CLEAR_DUPLICATE_SESSION_COOKIES";
  static readonly GENERAL_ERROR = "INTERNAL";
  static readonly BAD_INPUT_ERROR = "INVALID_INPUT";
  static readonly INVALID_CONFIG = "INVALID_CONFIG";
  static readonly INVALID_INPUT = "INVALID_INPUT";
  static readonly STORAGE = "STORAGE";
  static readonly NOT_SUPPORTED = "NOT_SUPPORTED";
  static readonly INTERNAL = "INTERNAL";

  /** The core's code. */
  readonly type: string;
  /** Extra data (TOKEN_THEFT_DETECTED: `{userId, recipeUserId, sessionHandle}`; INVALID_CLAIMS: `[{id, reason}]`). */
  readonly payload: unknown;
  readonly clearTokens: boolean;
  /** supertokens-node marks its errors with this; kept for code that checks it. */
  readonly fromRecipe = "session";
  readonly errMagic = "ndskajfasndlfkj435234krjdsa";

  constructor(init: TesseraErrorInit) {
    super(init.message ?? DEFAULT_MESSAGES[init.type] ?? init.type);
    this.name = "TesseraError";
    this.type = init.type;
    let payload = init.payload;
    let clearTokens = init.clearTokens;
    // supertokens-node passes `payload: { clearTokens }` for UNAUTHORISED.
    if (clearTokens === undefined && init.type === "UNAUTHORISED") {
      const given = (payload as { clearTokens?: unknown } | undefined)?.clearTokens;
      clearTokens = given === undefined ? true : Boolean(given);
      if (payload !== null && typeof payload === "object" && Object.keys(payload).every((k) => k === "clearTokens")) {
        payload = undefined;
      }
    }
    this.payload = payload;
    this.clearTokens = clearTokens ?? init.type === "TOKEN_THEFT_DETECTED";
  }

  /** Whether `err` is one of Tessera's errors. */
  static isErrorFromSuperTokens(err: unknown): err is TesseraError {
    return err instanceof TesseraError;
  }

  /** Whether the protocol answers this error itself (401/403), rather than the app (500). */
  isSessionError(): boolean {
    return SESSION_ERROR_TYPES.has(this.type);
  }

  /** The payload as the native `errorResponse` takes it. */
  payloadJson(): string | null {
    return this.payload === undefined || this.payload === null ? null : JSON.stringify(this.payload);
  }
}

/** A native error (a JS Error with `code` and a JSON `message`) as a {@link TesseraError};
 * anything else is returned unchanged (napi argument errors, bugs in the facade). */
export function fromNative(err: unknown): unknown {
  if (err instanceof TesseraError || !(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== "string") return err;
  let parsed: { message?: unknown; payload?: unknown; clearTokens?: unknown };
  try {
    parsed = JSON.parse(err.message) as typeof parsed;
  } catch {
    if (!KNOWN_ERROR_TYPES.includes(code)) return err;
    parsed = { message: err.message };
  }
  if (parsed === null || typeof parsed !== "object") return err;
  let payload = parsed.payload;
  if (typeof payload === "string") {
    try {
      payload = JSON.parse(payload);
    } catch {
      // kept as the raw string
    }
  }
  const out = new TesseraError({
    type: KNOWN_ERROR_TYPES.includes(code) ? code : "INTERNAL",
    message: typeof parsed.message === "string" ? parsed.message : String(parsed.message ?? code),
    payload: payload === null ? undefined : payload,
    clearTokens: Boolean(parsed.clearTokens),
  });
  (out as { cause?: unknown }).cause = err;
  return out;
}

/** Runs a sync native call, mapping its errors. */
export function callSync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw fromNative(err);
  }
}

/** Awaits an async native call, mapping its errors. */
export async function callAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fromNative(err);
  }
}
