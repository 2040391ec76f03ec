// Tessera.init once per server process, imported by every route that uses sessions.
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";

Tessera.init({
  // A file, not :memory:, so that routes bundled apart share one store.
  supertokens: { connectionURI: `sqlite:${process.env.TESSERA_SMOKE_DB ?? "tessera-smoke.db"}` },
  appInfo: { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" },
  recipeList: [Session.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true })],
});
