/**
 * `tessera-session/recipe/session/types`: the types of supertokens-node's
 * `supertokens-node/recipe/session/types` that apps write against (`VerifySessionOptions` for a
 * custom `verifySession`, `SessionContainer`, the override interfaces). Types only: nothing to
 * import at runtime.
 */
import type { BaseRequest } from "../../state";
import type { BaseResponse } from "./errorHandlers";
import type { SessionContainerInterface } from "./sessionContainer";

export type { VerifySessionOptions } from "./common";
export type { TypeInput } from "./index";
export type { SessionInformation, SessionContainerInterface } from "./sessionContainer";
export type { APIInterface, APIOptions, RecipeInterface, SessionClaim, SessionClaimValidator } from "./recipeInterface";
export type { BaseResponse, ClaimValidationError, ErrorHandlers, UserContext } from "./errorHandlers";
export type { TokenTransferMethodFunction } from "../../state";

/** A session's methods (supertokens-node's `SessionContainer` type, an interface there too): a
 * plain object with them type-checks, as the docs' stub session returned from a
 * `createNewSession` override does. Tessera's sessions implement it. */
export type SessionContainer = SessionContainerInterface;

/** How a session's tokens travel. */
export type TokenTransferMethod = "header" | "cookie";

/** The request and response a session belongs to (supertokens-node's `ReqResInfo`: what
 * `attachToRequestResponse` takes). */
export interface ReqResInfo {
  res: BaseResponse | unknown;
  req: BaseRequest | unknown;
  transferMethod: TokenTransferMethod;
}
