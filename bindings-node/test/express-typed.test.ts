// Compiled (not run) by express-typed-check.test.mjs under `strict`: the seed, typed as
// supertokens-node's docs type it.
import express from "express";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/express";
import { middleware, errorHandler, SessionRequest } from "tessera-session/framework/express";

Tessera.init({
  supertokens: { connectionURI: "sqlite::memory:" },
  appInfo: { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" },
  recipeList: [
    Session.init({
      exposeAccessTokenToFrontendInCookieBasedAuth: true,
      cookieSameSite: "lax",
      // The handlers' parameters are typed from `errorHandlers`, as in supertokens-node.
      errorHandlers: {
        onUnauthorised: async (message, request, response, userContext) => {
          const probe: string | undefined = request.getHeaderValue("x-probe");
          response.setStatusCode(401);
          response.sendJSONResponse({ message: "custom unauthorised", was: message, probe, userContext });
        },
        onTokenTheftDetected: async (sessionHandle, userId, recipeUserId, _request, response) => {
          const ids: string[] = [sessionHandle, userId, recipeUserId.getAsString()];
          response.setHeader("x-ids", ids.join(), false);
          response.setStatusCode(401);
          response.sendHTMLResponse("<p>theft</p>");
        },
        onInvalidClaim: async (validationErrors, _request, response) => {
          response.setStatusCode(403);
          response.sendJSONResponse({ ids: validationErrors.map((e) => e.id) });
        },
      },
      // The SuperTokens docs' override, typed from `RecipeInterface` as in supertokens-node.
      override: {
        functions: (originalImplementation) => {
          return {
            ...originalImplementation,
            createNewSession: async function (input) {
              const tenant: string = input.tenantId;
              const user: string = input.recipeUserId.getAsString();
              input.accessTokenPayload = { ...input.accessTokenPayload, customKey: "customValue", tenant, user };
              return originalImplementation.createNewSession(input);
            },
          };
        },
        // The SuperTokens docs' sign-out override, typed from `APIInterface` as in supertokens-node.
        apis: (originalImplementation) => {
          return {
            ...originalImplementation,
            signOutPOST: async function (input) {
              if (originalImplementation.signOutPOST === undefined) {
                throw Error("Should never come here");
              }
              const user: string = input.session.getUserId();
              input.options.res.setHeader("x-signed-out", user, false);
              return originalImplementation.signOutPOST(input);
            },
            verifySession: async function (input) {
              const required: boolean | undefined = input.verifySessionOptions?.sessionRequired;
              const path: string = input.options.req.getOriginalURL();
              void [required, path];
              return originalImplementation.verifySession(input);
            },
          };
        },
      },
    }),
  ],
});
const app = express();
app.use(middleware());
app.get("/getJWT", verifySession(), async (req: SessionRequest, res) => {
  res.json({ token: req.session!.getAccessToken() });
});
app.post("/signin", async (req, res) => {
  const session = await Session.createNewSession(req, res, "public", Tessera.convertToRecipeUserId("u"));
  const handle: string = session.getHandle();
  const expiry: number = await session.getExpiry();
  res.json({ handle, expiry });
});
app.get("/opt", verifySession({ sessionRequired: false }), (req: SessionRequest, res) => {
  res.json({ user: req.session?.getUserId() });
});
app.use(errorHandler());
app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  if (err instanceof Session.Error && err.type === Session.Error.UNAUTHORISED) res.status(401).end();
});
