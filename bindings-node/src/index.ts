/**
 * `tessera-session`: supertokens-node's root module (`supertokens-node`), backed by Tessera's
 * native core.
 *
 * ```ts
 * import Tessera from "tessera-session";
 * import Session from "tessera-session/recipe/session";
 * Tessera.init({ appInfo: {...}, recipeList: [Session.init({...})] });
 * ```
 */
import { TesseraError, callSync } from "./error";
import { native } from "./native";
import { RecipeUserId } from "./recipeUserId";
import { FRAMEWORKS } from "./framework/wrap";
import type { JWTRecipeInit } from "./recipe/jwt";
import type { OpenIdRecipeInit } from "./recipe/openid";
import type { InstalledErrorHandlers, UserContext } from "./recipe/session/errorHandlers";
import { originalImplementation } from "./recipe/session/implementation";
import type { InstalledApis, RecipeInterface, ReplacedFunctions } from "./recipe/session/recipeInterface";
import type { BaseRequest, TokenTransferMethodFunction } from "./state";
import { install } from "./state";

export { TesseraError, RecipeUserId };
export type { TesseraErrorInit } from "./error";
export type { BaseRequest };

export interface AppInfo {
  appName: string;
  apiDomain: string;
  websiteDomain?: string;
  /**
   * Takes the place of `websiteDomain` (and wins over it, as in supertokens-node): a string,
   * or a function of `{ request, userContext }`. Tessera calls the function once, in `init`,
   * with `request: undefined`, and takes its answer as the website's domain for the default
   * `cookieSameSite`; if it throws, the website's domain is left unknown (SameSite `lax`).
   * Set `cookieSameSite` when the origins a function answers for span sites.
   */
  origin?: string | ((input: { request: unknown; userContext: Record<string, unknown> }) => string);
  apiBasePath?: string;
  websiteBasePath?: string;
  /**
   * The prefix a gateway (an AWS API Gateway stage, e.g. `/dev`) strips before the app sees a
   * request: routes match without it, while the refresh cookie's path, the tokens' `iss` and
   * the discovery document carry it.
   */
  apiGatewayPath?: string;
}

export interface TypeInput {
  /** `connectionURI`: absent for the embedded SQLite file, `"sqlite:PATH"`, `"sqlite::memory:"`,
   * or `"http(s)://host"` to verify against a SuperTokens core's JWKS. */
  supertokens?: { connectionURI?: string; apiKey?: string; networkInterceptor?: unknown };
  appInfo: AppInfo;
  /** `Session.init(...)` (absent: the session defaults), and optionally `JWT.init(...)` and
   * `OpenId.init(...)` (`tessera-session/recipe/jwt`, `.../recipe/openid`). */
  recipeList?: unknown[];
  /** Which framework's `req`/`res` `Session.getSession(req, res)` and friends take. */
  framework?: string;
  isInServerlessEnv?: boolean;
  telemetry?: boolean;
  debug?: boolean;
}

/** What `Session.init(...)` returns; `init` reads its options. */
export interface SessionRecipeInit {
  readonly tesseraRecipe: "session";
  readonly options: Record<string, unknown>;
  /** The application's per-request transfer method, when it gave a function. */
  readonly getTokenTransferMethod?: TokenTransferMethodFunction;
  /** The application's `errorHandlers`, checked, when it gave any. */
  readonly errorHandlers?: InstalledErrorHandlers;
  /** The recipe implementation: what the application's `override.functions` built, else the
   * default one. */
  readonly implementation: RecipeInterface;
  /** Which functions the application's `override.functions` replaced, when it gave one. */
  readonly replaced?: ReplacedFunctions;
  /** What the application's `override.apis` built, when it gave one; the default API functions
   * when its `override.functions` replaced one they call. */
  readonly apis?: InstalledApis;
}

function notSupported(message: string): TesseraError {
  return new TesseraError({ type: "NOT_SUPPORTED", message });
}

/** The recipes `recipeList` may hold: what `Session.init`, `JWT.init` and `OpenId.init` return. */
type RecipeInit = SessionRecipeInit | JWTRecipeInit | OpenIdRecipeInit;

function isRecipe(recipe: unknown): recipe is RecipeInit {
  if (typeof recipe !== "object" || recipe === null) return false;
  const tag = (recipe as { tesseraRecipe?: unknown }).tesseraRecipe;
  return tag === "session" || tag === "jwt" || tag === "openid";
}

/** The website's domain the config is made with: `origin` (a function is asked without a
 * request), else `websiteDomain`. */
function configuredWebsiteDomain(appInfo: AppInfo): string | undefined {
  let origin = appInfo.origin;
  if (origin === undefined) return appInfo.websiteDomain;
  if (typeof origin === "function") {
    try {
      origin = origin({ request: undefined, userContext: {} });
    } catch {
      // A function that needs a request: the website's domain stays unknown.
      return undefined;
    }
  }
  if (typeof origin !== "string") {
    throw new TesseraError({ type: "INVALID_CONFIG", message: "appInfo.origin must give a string" });
  }
  return origin;
}

function appInfoJson(appInfo: AppInfo): Record<string, unknown> {
  if (appInfo === null || typeof appInfo !== "object") {
    throw new TesseraError({ type: "INVALID_CONFIG", message: "appInfo is required" });
  }
  const out: Record<string, unknown> = { appName: appInfo.appName, apiDomain: appInfo.apiDomain };
  const websiteDomain = configuredWebsiteDomain(appInfo);
  if (websiteDomain !== undefined) out.websiteDomain = websiteDomain;
  if (appInfo.apiBasePath !== undefined) out.apiBasePath = appInfo.apiBasePath;
  if (appInfo.apiGatewayPath) out.apiGatewayPath = appInfo.apiGatewayPath;
  if (appInfo.websiteBasePath !== undefined) out.websiteBasePath = appInfo.websiteBasePath;
  return out;
}

/**
 * Configures Tessera for this process: makes the native engine and opens (and migrates) the
 * session store. Calling it again replaces the engine.
 *
 * @throws TesseraError `INVALID_CONFIG` naming a wrong option; `NOT_SUPPORTED`; `STORAGE`.
 */
export function init(config: TypeInput): void {
  const framework = config.framework ?? "express";
  if (!FRAMEWORKS.includes(framework)) {
    throw notSupported(`framework "${framework}" is not supported by Tessera yet (use one of ${FRAMEWORKS.join(", ")})`);
  }
  if (config.supertokens?.networkInterceptor !== undefined) {
    throw notSupported("supertokens.networkInterceptor is not supported by Tessera");
  }
  let session: Record<string, unknown> = {};
  let getTokenTransferMethod: TokenTransferMethodFunction | undefined;
  let errorHandlers: InstalledErrorHandlers | undefined;
  let implementation: RecipeInterface | undefined;
  let replaced: ReplacedFunctions | undefined;
  let apis: InstalledApis | undefined;
  let jwtValiditySeconds: number | undefined;
  for (const recipe of config.recipeList ?? []) {
    if (!isRecipe(recipe)) {
      throw notSupported("recipeList: only Session.init(...), JWT.init(...) and OpenId.init(...) are supported by Tessera");
    }
    if (recipe.tesseraRecipe === "jwt") {
      jwtValiditySeconds = recipe.jwtValiditySeconds;
      continue;
    }
    // The OpenID recipe's only options are refused by its `init`; its functions are the core's.
    if (recipe.tesseraRecipe === "openid") continue;
    session = { ...recipe.options };
    getTokenTransferMethod = recipe.getTokenTransferMethod;
    errorHandlers = recipe.errorHandlers;
    implementation = recipe.implementation;
    replaced = recipe.replaced;
    apis = recipe.apis;
  }
  const json: Record<string, unknown> = { appInfo: appInfoJson(config.appInfo), session };
  if (config.supertokens?.connectionURI !== undefined) json.connectionURI = config.supertokens.connectionURI;
  if (config.supertokens?.apiKey !== undefined) json.apiKey = config.supertokens.apiKey;
  const { Engine } = native();
  const engine = callSync(() => new Engine(JSON.stringify(json)));
  implementation ??= originalImplementation();
  install({ engine, framework, getTokenTransferMethod, errorHandlers, implementation, replaced, apis, jwtValiditySeconds });
}

/** A string user id as a {@link RecipeUserId}. */
export function convertToRecipeUserId(recipeUserId: string): RecipeUserId {
  return new RecipeUserId(recipeUserId);
}

/** The request headers a CORS setup must allow for the SuperTokens frontend SDKs. */
export function getAllCORSHeaders(): string[] {
  return [...native().CORS_ALLOWED_HEADERS];
}

/** The core's error codes (what `TesseraError.type` may be). */
export function allErrorKinds(): string[] {
  return [...native().allErrorKinds()];
}

/**
 * The request a `userContext` carries (supertokens-node's `getRequestFromUserContext`): the
 * wrapper Tessera puts in `userContext._default.request` when a function runs for a request
 * (an API function, a session function given `req`, a method of a request's session), with
 * `getHeaderValue`, `getCookieValue`, `getMethod`, `getOriginalURL` and `original` (the
 * framework's own request). `undefined` outside a request (a `...WithoutRequestResponse` call).
 */
export function getRequestFromUserContext(userContext: UserContext | undefined): BaseRequest | undefined {
  const defaults = userContext?._default as { request?: unknown } | null | undefined;
  const request = defaults?.request;
  return request === null ? undefined : (request as BaseRequest | undefined);
}

export { TesseraError as Error };

const Tessera = {
  init,
  convertToRecipeUserId,
  getAllCORSHeaders,
  allErrorKinds,
  getRequestFromUserContext,
  Error: TesseraError,
  TesseraError,
  RecipeUserId,
};

export default Tessera;
