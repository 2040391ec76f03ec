// The seed's /getJWT as an app-router route handler, on the Node.js runtime (the addon does
// not load in the Edge runtime).
import { NextResponse } from "next/server";
import { withSession } from "tessera-session/nextjs";
import "../../tessera.js";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(request) {
  return withSession(request, async (err, session) => {
    if (err) return NextResponse.json({ message: String(err) }, { status: 500 });
    return NextResponse.json({ token: session.getAccessToken() });
  });
}
