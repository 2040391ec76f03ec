// The NestJS integration end to end: a real Nest 11 app on the Express platform, on an ephemeral
// port, driven with the global fetch, over the native core. Controllers are written as in a
// TypeScript Nest app (`@UseGuards(new AuthGuard())`, `@Session()`), with the decorators applied
// as TypeScript emits them (`Reflect.decorate`; a parameter decorator is called directly).
import { test } from "node:test";
import assert from "node:assert/strict";
import "reflect-metadata";
import { Controller, Get, HttpCode, Module, Post, Req, Res, UseGuards } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import SessionRecipe from "tessera-session/recipe/session";
import { AuthGuard, Session, TesseraModule } from "tessera-session/nestjs";
import { apiOverrideChecks, handlerChecks, initTessera, seedSuite } from "../testlib/seed.mjs";

/** Applies method decorators, then parameter decorators by index, as TS's `__decorate` does. */
function decorate(target, method, decorators, params = []) {
  params.forEach((p, i) => p(target.prototype, method, i));
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, method);
  Object.defineProperty(target.prototype, method, Reflect.decorate(decorators, target.prototype, method, descriptor));
}

class SeedController {
  async signin(req, res) {
    await SessionRecipe.createNewSession(req, res, "public", "user-1", { role: "admin" });
    return { status: "OK" };
  }
  getJWT(session) {
    return { token: session.getAccessToken() };
  }
  optional(session) {
    return { hasSession: session !== undefined };
  }
  async merge(session) {
    await session.mergeIntoAccessTokenPayload({ k: "v" });
    return { payload: session.getAccessTokenPayload(), token: session.getAccessToken() };
  }
  throws() {
    throw new SessionRecipe.Error({ type: SessionRecipe.Error.TRY_REFRESH_TOKEN, message: "nope" });
  }
  boom() {
    throw new Error("boom");
  }
}
decorate(SeedController, "signin", [Post("signin"), HttpCode(200)], [Req(), Res({ passthrough: true })]);
decorate(SeedController, "getJWT", [Get("getJWT"), UseGuards(new AuthGuard())], [Session()]);
decorate(SeedController, "optional", [Get("optional"), UseGuards(new AuthGuard({ sessionRequired: false }))], [Session()]);
decorate(SeedController, "merge", [Post("merge"), HttpCode(200), UseGuards(AuthGuard)], [Session()]);
decorate(SeedController, "throws", [Get("throw")]);
decorate(SeedController, "boom", [Get("boom")]);
Reflect.decorate([Controller()], SeedController);

class AppModule {}
Reflect.decorate([Module({ imports: [TesseraModule], controllers: [SeedController] })], AppModule);

async function start(sessionOptions) {
  initTessera("express", sessionOptions);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, "127.0.0.1");
  const base = (await app.getUrl()).replace("[::1]", "127.0.0.1");
  return { fetch: (path, init) => fetch(base + path, init), close: () => app.close() };
}

seedSuite("nestjs", start);

test("nestjs: the guard as a class, session methods in a handler; the module's filter answers session errors", async () => {
  const app = await start();
  try {
    await handlerChecks(app);
  } finally {
    await app.close();
  }
});

test("nestjs: override.apis: verifySession runs for protected routes (the guard), refresh and sign-out go through the API", () =>
  apiOverrideChecks(start));

// ---- supertokens-nestjs's names (the SuperTokens docs' NestJS guide) ------------------------

test("nestjs: SuperTokensModule.forRoot, the global SuperTokensAuthGuard and its decorators, as supertokens-nestjs", async () => {
  const { APP_GUARD } = await import("@nestjs/core");
  const { SuperTokensModule, SuperTokensAuthGuard, SuperTokensExceptionFilter, VerifySession, PublicAccess } = await import("tessera-session/nestjs");
  const { appInfo } = await import("../testlib/seed.mjs");

  class DocsController {
    async signin(req, res) {
      await SessionRecipe.createNewSession(req, res, "public", "user-1", { role: "admin" });
      return { status: "OK" };
    }
    user(userId) {
      return { userId };
    }
    whole(session) {
      return { user: session.getUserId() };
    }
    open() {
      return { open: true };
    }
    optional(session) {
      return { hasSession: session !== undefined };
    }
    admin() {
      return { admin: true };
    }
  }
  decorate(DocsController, "signin", [Post("signin"), HttpCode(200), PublicAccess()], [Req(), Res({ passthrough: true })]);
  decorate(DocsController, "user", [Get("user"), VerifySession()], [Session("userId")]);
  decorate(DocsController, "whole", [Get("whole")], [Session()]);
  decorate(DocsController, "open", [Get("open"), PublicAccess()]);
  decorate(DocsController, "optional", [Get("optional"), VerifySession({ options: { sessionRequired: false } })], [Session()]);
  decorate(DocsController, "admin", [Get("admin"), VerifySession({ roles: ["admin"] })]);
  Reflect.decorate([Controller()], DocsController);

  class DocsModule {}
  const supertokensModule = SuperTokensModule.forRoot({
    framework: "express",
    supertokens: { connectionURI: "sqlite::memory:" },
    appInfo,
    recipeList: [SessionRecipe.init()],
  });
  Reflect.decorate(
    [Module({ imports: [supertokensModule], controllers: [DocsController], providers: [{ provide: APP_GUARD, useClass: SuperTokensAuthGuard }] })],
    DocsModule,
  );
  const app = await NestFactory.create(DocsModule, { logger: false });
  app.useGlobalFilters(new SuperTokensExceptionFilter());
  await app.listen(0, "127.0.0.1");
  const base = (await app.getUrl()).replace("[::1]", "127.0.0.1");
  const get = (path, token) => fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  try {
    // Guarded by default, with or without @VerifySession; the session error is the filter's answer.
    for (const path of ["/user", "/whole"]) {
      const res = await get(path);
      assert.equal(res.status, 401, path);
      assert.deepEqual(await res.json(), { message: "unauthorised" });
    }
    assert.deepEqual(await (await get("/open")).json(), { open: true });
    assert.deepEqual(await (await get("/optional")).json(), { hasSession: false });

    const signin = await fetch(base + "/signin", { method: "POST", headers: { "st-auth-mode": "header" } });
    assert.equal(signin.status, 200);
    const token = signin.headers.get("st-access-token");
    assert.deepEqual(await (await get("/user", token)).json(), { userId: "user-1" });
    assert.deepEqual(await (await get("/whole", token)).json(), { user: "user-1" });
    assert.deepEqual(await (await get("/optional", token)).json(), { hasSession: true });
    // Roles need the user roles recipe, which Tessera does not have: refused, not ignored.
    assert.equal((await get("/admin", token)).status, 500);

    // The module's middleware serves the core's endpoints.
    const refreshed = await fetch(base + "/auth/session/refresh", {
      method: "POST",
      headers: { authorization: `Bearer ${signin.headers.get("st-refresh-token")}` },
    });
    assert.equal(refreshed.status, 200);
    assert.ok(refreshed.headers.get("st-access-token"));
  } finally {
    await app.close();
  }
});
