// Compiled (not run) by frameworks-typed-check.test.mjs under `strict`: the seed on LoopBack 4,
// typed as supertokens-node's docs type it.
import { inject, intercept } from "@loopback/core";
import { MiddlewareContext, RestApplication, RestBindings, get, post, response } from "@loopback/rest";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/loopback";
import { SessionContext, errorHandler, middleware } from "tessera-session/framework/loopback";

Tessera.init({
  framework: "loopback",
  supertokens: { connectionURI: "sqlite::memory:" },
  appInfo: { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" },
  recipeList: [Session.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true })],
});

export class JwtController {
  constructor(@inject(RestBindings.Http.CONTEXT) private ctx: MiddlewareContext) {}

  @get("/getJWT")
  @intercept(verifySession())
  @response(200)
  getJWT(): { token: string } {
    return { token: (this.ctx as SessionContext).session!.getAccessToken() };
  }

  @get("/optional")
  @intercept(verifySession({ sessionRequired: false }))
  @response(200)
  optional(): { user: string | undefined } {
    return { user: (this.ctx as SessionContext).session?.getUserId() };
  }

  @post("/signin")
  @response(200)
  async signin(): Promise<{ handle: string }> {
    const session = await Session.createNewSession(this.ctx, this.ctx, "public", Tessera.convertToRecipeUserId("u"));
    return { handle: session.getHandle() };
  }
}

const app = new RestApplication({ rest: { port: 3001 } });
app.middleware(middleware);
app.middleware(errorHandler());
app.controller(JwtController);
