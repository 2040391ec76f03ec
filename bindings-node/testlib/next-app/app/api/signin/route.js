// Sign-in for the smoke test: a session for a fixed user, tokens written onto the response.
import { NextResponse } from "next/server";
import Session from "tessera-session/recipe/session";
import { withPreParsedRequestResponse } from "tessera-session/nextjs";
import "../../tessera.js";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function POST(request) {
  return withPreParsedRequestResponse(request, async (baseRequest, baseResponse) => {
    await Session.createNewSession(baseRequest, baseResponse, "public", "user-1");
    return NextResponse.json({ status: "OK" });
  });
}
