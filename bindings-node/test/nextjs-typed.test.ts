// Compiled (not run) by frameworks-typed-check.test.mjs under `strict`: the seed on Next.js,
// pages router and app router, typed as supertokens-node's docs type it.
import type { NextApiRequest, NextApiResponse } from "next";
import { NextRequest, NextResponse } from "next/server";
import Session from "tessera-session/recipe/session";
import {
  getAppDirRequestHandler,
  superTokensNextWrapper,
  withPreParsedRequestResponse,
  withSession,
} from "tessera-session/nextjs";
import { verifySession } from "tessera-session/recipe/session/framework/express";
import { middleware, SessionRequest } from "tessera-session/framework/express";

// pages/api/getJWT.ts
export async function getJWT(req: SessionRequest<NextApiRequest>, res: NextApiResponse): Promise<void> {
  await superTokensNextWrapper(
    async (next) => {
      await verifySession()(req, res, next);
    },
    req,
    res,
  );
  res.json({ token: req.session!.getAccessToken() });
}

// pages/api/auth/[[...path]].ts
export async function auth(req: NextApiRequest, res: NextApiResponse): Promise<void> {
  await superTokensNextWrapper(
    async (next) => {
      await middleware()(req, res, next);
    },
    req,
    res,
  );
  if (!res.writableEnded) res.status(404).send("Not found");
}

// app/getJWT/route.ts
export function GET(request: NextRequest): Promise<NextResponse> {
  return withSession(request, async (err, session) => {
    if (err) return NextResponse.json(err, { status: 500 });
    if (!session) return new NextResponse("Authentication required", { status: 401 });
    return NextResponse.json({ token: session.getAccessToken() });
  });
}

// app/signin/route.ts
export function POST(request: NextRequest): Promise<NextResponse> {
  return withPreParsedRequestResponse(request, async (baseRequest, baseResponse) => {
    const session = await Session.createNewSession(baseRequest, baseResponse, "public", "user-1");
    return NextResponse.json({ handle: session.getHandle() });
  });
}

// app/api/auth/[...path]/route.ts
const handleCall = getAppDirRequestHandler();
export const PUT = (request: NextRequest): Promise<Response> => handleCall(request);

// app/page.tsx: a server component reading the session, as the SuperTokens docs write it.
import { getSSRSession } from "tessera-session/nextjs";
import { getSessionForSSR, handleAuthAPIRequest } from "tessera-session/custom";
export async function Page(cookies: { getAll(): { name: string; value: string }[] }): Promise<string> {
  const { accessTokenPayload, hasToken, error } = await getSSRSession(cookies.getAll());
  if (error) return `Something went wrong: ${error.message}`;
  if (!hasToken) return "redirect to login";
  if (accessTokenPayload === undefined) return "refresh";
  return `user ${accessTokenPayload.sub}`;
}
export async function remixLoader(request: Request): Promise<boolean> {
  const handle: (req: Request) => Promise<Response> = handleAuthAPIRequest();
  void handle;
  return (await getSessionForSSR(request)).hasToken;
}
