/**
 * The OpenID recipe (supertokens-node's `supertokens-node/recipe/openid`): the OpenID discovery
 * document, served at `{apiBasePath}/.well-known/openid-configuration`, and the JWT functions of
 * `tessera-session/recipe/jwt`. As in supertokens-node, every app has them; `init` may be listed
 * in `recipeList` and changes nothing.
 *
 * The issuer is `apiDomain` + `apiBasePath`, the `iss` of every access token Tessera issues;
 * it cannot be changed.
 */
import { TesseraError, callSync } from "../../error";
import { engine } from "../../state";
import { createJWT, getJWKS } from "../jwt";
import type { CreateJWTResult, GetJWKSResult, JsonWebKey } from "../jwt";
import { refuseOverride } from "../jwt/override";

export { createJWT, getJWKS };
export type { CreateJWTResult, GetJWKSResult, JsonWebKey };

/** The options of `OpenId.init`. Neither can be honoured, and each is refused. */
export interface TypeInput {
  /** Not supported: the issuer is `apiDomain` + `apiBasePath`, the `iss` of the access tokens
   * the core issues and verifies (older supertokens-node versions took this option). */
  issuer?: string;
  /** Not supported: the discovery document is the core's. An override with neither
   * `functions` nor `apis` is accepted, as it changes nothing. */
  override?: { functions?: unknown; apis?: unknown };
}

/** What `OpenId.init(...)` returns, for `Tessera.init({recipeList: [...]})`. */
export interface OpenIdRecipeInit {
  readonly tesseraRecipe: "openid";
}

/** The OpenID discovery document, with supertokens-node's `status`. */
export interface GetOpenIdDiscoveryConfigurationResult {
  status: "OK";
  /** `apiDomain` + `apiBasePath`. */
  issuer: string;
  /** `{issuer}/jwt/jwks.json`. */
  jwks_uri: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  revocation_endpoint: string;
  token_introspection_endpoint: string;
  end_session_endpoint: string;
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
  response_types_supported: string[];
}

/**
 * The OpenID recipe, with its defaults.
 *
 * @throws TesseraError `NOT_SUPPORTED` for an `issuer`, `override.functions` or `override.apis`.
 */
export function init(config?: TypeInput): OpenIdRecipeInit {
  const given = config ?? {};
  if (given.issuer !== undefined) {
    throw new TesseraError({
      type: "NOT_SUPPORTED",
      message: "OpenId.init({issuer}) is not supported by Tessera: the issuer is apiDomain + apiBasePath",
    });
  }
  refuseOverride("OpenId", given.override);
  return { tesseraRecipe: "openid" };
}

/**
 * The document served at `{apiBasePath}/.well-known/openid-configuration` (`issuer`,
 * `jwks_uri`, the OAuth2 endpoints and algorithms supertokens-node lists), with `status: "OK"`.
 *
 * `userContext` is accepted for supertokens-node's signature; no override can read it.
 */
export async function getOpenIdDiscoveryConfiguration(
  userContext?: Record<string, unknown>,
): Promise<GetOpenIdDiscoveryConfigurationResult> {
  const doc = JSON.parse(callSync(() => engine().openidDiscoveryConfiguration())) as Omit<
    GetOpenIdDiscoveryConfigurationResult,
    "status"
  >;
  return { status: "OK", ...doc };
}

const OpenId = { init, createJWT, getJWKS, getOpenIdDiscoveryConfiguration };

export default OpenId;
