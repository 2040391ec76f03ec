// The Tessera demo backend on Express: sessions for the SuperTokens frontend SDK.
// Run: `node server.mjs` (listens on $PORT, default 3002). Settings come from the environment
// so that the browser tests and `make demo` can run the same file; see ../README.md.
import express from "express";
import cors from "cors";
import Tessera from "tessera-session";
import Session from "tessera-session/recipe/session";
import { verifySession } from "tessera-session/recipe/session/framework/express";
import { middleware, errorHandler } from "tessera-session/framework/express";

const env = process.env;
const port = Number(env.PORT ?? 3002);
const websiteDomain = env.WEBSITE_DOMAIN ?? "http://localhost:3000";

Tessera.init({
  appInfo: {
    appName: "tessera-demo",
    apiDomain: env.API_DOMAIN ?? `http://localhost:${port}`,
    websiteDomain,
  },
  // No `supertokens.connectionURI`: sessions live in the embedded SQLite file
  // (.tessera/sessions.sqlite3, or $TESSERA_SQLITE_PATH).
  recipeList: [
    Session.init({
      // "any" lets the frontend choose cookies or headers (its tokenTransferMethod).
      tokenTransferMethod: env.TOKEN_TRANSFER_METHOD ?? "any",
      // Lets Session.getAccessToken() return the JWT in cookie mode too.
      exposeAccessTokenToFrontendInCookieBasedAuth: (env.EXPOSE_ACCESS_TOKEN ?? "true") === "true",
      ...(env.ACCESS_TOKEN_VALIDITY ? { accessTokenValidity: Number(env.ACCESS_TOKEN_VALIDITY) } : {}),
    }),
  ],
});

const app = express();
// Before the middleware, so that its endpoints answer preflights and carry CORS headers: the
// page is on another origin and reads the session headers the core lists.
app.use(
  cors({
    origin: websiteDomain,
    allowedHeaders: ["content-type", ...Tessera.getAllCORSHeaders()],
    credentials: true,
  }),
);
// Serves POST /auth/session/refresh and POST /auth/signout for the frontend SDK.
app.use(middleware());
app.use(express.json());

app.post("/signin", async (req, res) => {
  // Demo only: no password. A real app checks credentials before creating the session.
  const userId = String(req.body?.userId ?? "").trim();
  if (!userId) return res.status(400).json({ message: "userId is required" });
  await Session.createNewSession(req, res, "public", Tessera.convertToRecipeUserId(userId));
  res.json({ status: "OK" });
});

app.get("/getJWT", verifySession(), (req, res) => {
  res.json({ token: req.session.getAccessToken() });
});

// checkDatabase: a revoked session is refused at once, not only when its access token expires.
app.get("/sessioninfo", verifySession({ checkDatabase: true }), (req, res) => {
  res.json({
    userId: req.session.getUserId(),
    sessionHandle: req.session.getHandle(),
    accessTokenPayload: req.session.getAccessTokenPayload(),
  });
});

app.use(errorHandler());

app.listen(port, env.HOST ?? "localhost", () => console.log(`node-express: listening on http://localhost:${port}`));
