// Compiled (not run) by jwt.test.mjs under `strict`: the JWT and OpenID functions as code written
// against supertokens-node's types uses them.
import Tessera from "tessera-session";
import Session, { createJWT as sessionCreateJWT, getOpenIdDiscoveryConfiguration } from "tessera-session/recipe/session";
import JWT, { JsonWebKey } from "tessera-session/recipe/jwt";
import OpenId from "tessera-session/recipe/openid";

Tessera.init({
  supertokens: { connectionURI: "sqlite::memory:" },
  appInfo: { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" },
  recipeList: [Session.init(), JWT.init({ jwtValiditySeconds: 3600 }), OpenId.init()],
});

export async function sample(): Promise<string[]> {
  const created = await JWT.createJWT({ role: "service" }, 60, false, { any: "context" });
  if (created.status === "UNSUPPORTED_ALGORITHM_ERROR") throw new Error("unsupported");
  const jwt: string = created.jwt;
  const viaSession = await sessionCreateJWT({ a: 1 });
  const again: string = viaSession.status === "OK" ? viaSession.jwt : "";
  const { keys, validityInSeconds } = await JWT.getJWKS();
  const kids: string[] = keys.map((k: JsonWebKey) => k.kid);
  const maxAge: number | undefined = validityInSeconds;
  const doc = await getOpenIdDiscoveryConfiguration();
  const viaOpenId = await OpenId.getOpenIdDiscoveryConfiguration({});
  const uris: string[] = [doc.issuer, doc.jwks_uri, viaOpenId.token_endpoint, ...viaOpenId.response_types_supported];
  const status: "OK" = doc.status;
  const fromOpenId = await OpenId.createJWT({}, undefined, true);
  return [jwt, again, ...kids, String(maxAge), ...uris, status, fromOpenId.status];
}
