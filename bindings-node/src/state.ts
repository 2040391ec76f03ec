/** The process-wide state made by `init`: one native engine and the framework name. */
import { TesseraError } from "./error";
import type { NativeEngine } from "./native";
import type { InstalledErrorHandlers } from "./recipe/session/errorHandlers";
import type { InstalledApis, RecipeInterface, ReplacedFunctions } from "./recipe/session/recipeInterface";

/** The application's `getTokenTransferMethod` function, as `Session.init` took it. */
export type TokenTransferMethodFunction = (input: {
  req: BaseRequest;
  forCreateNewSession: boolean;
  userContext: Record<string, unknown>;
}) => "cookie" | "header" | "any";

/** What a `getTokenTransferMethod` function is given as `req`: supertokens-node's `BaseRequest`
 * reading methods, over any framework's request. */
export interface BaseRequest {
  /** The framework's own request object. */
  readonly original: unknown;
  readonly wrapperUsed: true;
  /** The first value of header `key` (any case), or undefined. */
  getHeaderValue(key: string): string | undefined;
  /** The value of cookie `key` as sent (not decoded), or undefined. */
  getCookieValue(key: string): string | undefined;
  /** The HTTP method, lowercase. */
  getMethod(): string;
  /** The request's path and query. */
  getOriginalURL(): string;
}

export interface State {
  engine: NativeEngine;
  framework: string;
  /** Asked per request when the application gave a function (else the engine's setting holds). */
  getTokenTransferMethod?: TokenTransferMethodFunction;
  /** The application's `errorHandlers`, when it gave at least one (else every session error
   * gets the core's answer, and no path looks further). */
  errorHandlers?: InstalledErrorHandlers;
  /** The recipe implementation the session functions go through: what `override.functions`
   * built, else the default one. */
  implementation: RecipeInterface;
  /** Which functions `override.functions` replaced, when the application gave it (else
   * `createNewSession` and the request paths call the core directly, and no path looks
   * further than this field). */
  replaced?: ReplacedFunctions;
  /** What `override.apis` built, when the application gave it, or the default API functions
   * when `override.functions` replaced one they call (else the core serves the endpoints and
   * routes verify directly, and no path looks further than this field). */
  apis?: InstalledApis;
  /** `JWT.init`'s `jwtValiditySeconds`: `createJWT`'s default validity (absent: the core's). */
  jwtValiditySeconds?: number;
}

let current: State | undefined;

export function install(state: State): void {
  current = state;
}

export function state(): State {
  if (current === undefined) {
    throw new TesseraError({
      type: "INVALID_CONFIG",
      message: "Initialisation not done. Did you forget to call Tessera.init()?",
    });
  }
  return current;
}

export function engine(): NativeEngine {
  return state().engine;
}
