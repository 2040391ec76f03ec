// Compiled (not run) by frameworks-typed-check.test.mjs under `strict`: the typings the
// SuperTokens docs' Node session snippets rely on, written as the docs write them with only the
// import root changed. Each block names what it checks.
import express from "express";
import type { APIGatewayAuthorizerEvent } from "aws-lambda";
import { NextRequest, NextResponse } from "next/server";
import SuperTokens, { getRequestFromUserContext } from "tessera-session";
import type { AppInfo, JSONObject, TypeInput } from "tessera-session/types";
import Session from "tessera-session/recipe/session";
import type { SessionContainer, VerifySessionOptions } from "tessera-session/recipe/session/types";
import { verifySession } from "tessera-session/recipe/session/framework/express";
import { verifySession as lambdaVerifySession } from "tessera-session/recipe/session/framework/awsLambda";
import { middleware as lambdaMiddleware, SessionEvent } from "tessera-session/framework/awsLambda";
import { CollectingResponse, PreParsedRequest, middleware as customMiddleware } from "tessera-session/framework/custom";
import { getCookieFromRequest } from "tessera-session/custom";
import { withPreParsedRequestResponse } from "tessera-session/nextjs";

// tessera-session/types: the config typed as the docs' backendConfig() types it.
const appInfo: AppInfo = { appName: "a", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" };
export const backendConfig = (): TypeInput => ({ framework: "custom", appInfo, recipeList: [Session.init()] });
export const payload: JSONObject = { role: "admin", n: 1, nested: { ok: true } };

// getRequestFromUserContext, on the default export and named; a session stub typed as the
// SessionContainer interface, returned from a createNewSession override (user-context.mdx).
export const sessionInit = Session.init({
  override: {
    functions: (originalImplementation) => ({
      ...originalImplementation,
      createNewSession: async function (input) {
        const request = SuperTokens.getRequestFromUserContext(input.userContext);
        const jwt: string | undefined = request?.getCookieValue("jwt");
        const header: string | undefined = getRequestFromUserContext(input.userContext)?.getHeaderValue("x");
        const method: string | undefined = request?.getMethod();
        const url: string | undefined = request?.getOriginalURL();
        void [jwt, header, method, url];
        if (input.userContext.isSignUp) {
          return {
            getAccessToken: () => "",
            getAccessTokenPayload: () => null,
            getExpiry: async () => -1,
            getHandle: () => "",
            getSessionDataFromDatabase: async () => null,
            getTimeCreated: async () => -1,
            getUserId: () => "",
            revokeSession: async () => {},
            updateSessionDataInDatabase: async () => {},
            mergeIntoAccessTokenPayload: async () => {},
            assertClaims: async () => {},
            fetchAndSetClaim: async () => {},
            getClaimValue: async () => undefined,
            setClaimValue: async () => {},
            removeClaim: async () => {},
            attachToRequestResponse: () => {},
            getAllSessionTokensDangerously: () => ({
              accessAndFrontTokenUpdated: false,
              accessToken: "",
              frontToken: "",
              antiCsrfToken: undefined,
              refreshToken: undefined,
            }),
            getTenantId: () => "public",
            getRecipeUserId: () => SuperTokens.convertToRecipeUserId(""),
          };
        }
        return originalImplementation.createNewSession(input);
      },
    }),
  },
});
export const stub: SessionContainer = {} as SessionContainer;

// getSession: a SessionContainer unless sessionRequired is false; the payload is `any`.
const app = express();
app.get("/like", async (req, res) => {
  const session = await Session.getSession(req, res);
  const role: string = session.getAccessTokenPayload().role;
  const admin = await Session.getSession(req, res, { overrideGlobalClaimValidators: async (v) => v });
  const optional = await Session.getSession(req, res, { sessionRequired: false });
  // @ts-expect-error possibly undefined without sessionRequired: true
  optional.getUserId();
  const bare = await Session.getSessionWithoutRequestResponse("token");
  res.json({ userId: session.getUserId(), role, admin: admin.getHandle(), bare: bare.getHandle() });
});

// A custom verifySession with VerifySessionOptions (recipe/session/types), and verifySession's
// next written as for Express's NextFunction (nestjs guide: `let err = undefined`).
export function customVerify(options?: VerifySessionOptions) {
  return async (req: express.Request, res: express.Response) => {
    let err = undefined;
    await verifySession(options)(req, res, (res) => {
      err = res;
    });
    return err;
  };
}

// AWS Lambda: middleware's handler takes any event; event.supertokens is typed (the authorizer).
const handler = async (event: SessionEvent) => ({ statusCode: 200, body: event.session!.getUserId() });
const userHandler = lambdaVerifySession(handler);
export const authHandler = lambdaMiddleware((event) => {
  if (event.path === "/user") return userHandler(event, {} as any);
  return { statusCode: 200, body: "{}" };
});
type AuthorizerEvent = SessionEvent & APIGatewayAuthorizerEvent;
export async function authorizer(event: AuthorizerEvent) {
  const session = await Session.getSession(event, event, { sessionRequired: false });
  return { principalId: session?.getUserId() ?? "", context: { setCookie: event.supertokens.response.cookies.join(", ") } };
}

// Next.js app router with the custom framework's request and response types.
export function POST(request: NextRequest) {
  return withPreParsedRequestResponse(request, async (baseRequest: PreParsedRequest, baseResponse: CollectingResponse) => {
    const session = await Session.getSession(baseRequest, baseResponse);
    return NextResponse.json({ userId: session.getUserId() });
  });
}

// A route handler made of the custom framework's pieces, as the docs wrote one before
// getAppDirRequestHandler: a PreParsedRequest from the parsed request, a CollectingResponse,
// middleware() for the core's endpoints, the Response from statusCode, headers, cookies, body.
export function handleAuthAPIRequest(CustomResponse: typeof Response) {
  const stMiddleware = customMiddleware<PreParsedRequest>((req) => req);
  return async function handleCall(req: Request) {
    const baseRequest = new PreParsedRequest({
      method: req.method,
      url: req.url,
      query: Object.fromEntries(new URL(req.url).searchParams.entries()),
      headers: req.headers,
      cookies: getCookieFromRequest(req),
      getFormBody: () => req.formData(),
      getJSONBody: () => req.json(),
    });
    const baseResponse = new CollectingResponse();
    const { handled, error } = await stMiddleware(baseRequest, baseResponse);
    if (error) throw error;
    if (!handled) return new CustomResponse("Not found", { status: 404 });
    for (const respCookie of baseResponse.cookies) {
      const expires: Date = new Date(respCookie.expires);
      const sameSite: "strict" | "lax" | "none" = respCookie.sameSite;
      const attributes = [respCookie.path, respCookie.domain ?? "", respCookie.secure, respCookie.httpOnly, sameSite];
      baseResponse.headers.append("Set-Cookie", `${respCookie.key}=${respCookie.value}; Expires=${expires.toUTCString()}`);
      void attributes;
    }
    return new CustomResponse(baseResponse.body, { headers: baseResponse.headers, status: baseResponse.statusCode });
  };
}
