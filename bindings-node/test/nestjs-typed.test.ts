// Compiled (not run) by frameworks-typed-check.test.mjs under `strict`: the seed on NestJS with
// the ready-made guard, decorator, module, middleware and filter.
import "reflect-metadata";
import { Controller, Get, MiddlewareConsumer, Module, NestModule, Post, Req, Res, UseGuards } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { Request, Response } from "express";
import Tessera from "tessera-session";
import SessionRecipe, { SessionContainer } from "tessera-session/recipe/session";
import { AuthGuard, AuthMiddleware, Session, SessionExceptionFilter, TesseraModule } from "tessera-session/nestjs";

Tessera.init({
  appInfo: { apiDomain: "http://localhost:3001", appName: "a", websiteDomain: "http://localhost:3000" },
  recipeList: [SessionRecipe.init({ exposeAccessTokenToFrontendInCookieBasedAuth: true })],
});

@Controller()
export class JwtController {
  @Get("getJWT")
  @UseGuards(new AuthGuard())
  getJWT(@Session() session: SessionContainer): { token: string } {
    return { token: session.getAccessToken() };
  }

  @Get("optional")
  @UseGuards(new AuthGuard({ sessionRequired: false }))
  optional(@Session() session: SessionContainer | undefined): { user: string | undefined } {
    return { user: session?.getUserId() };
  }

  @Post("signin")
  async signin(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<{ handle: string }> {
    const session = await SessionRecipe.createNewSession(req, res, "public", Tessera.convertToRecipeUserId("u"));
    return { handle: session.getHandle() };
  }
}

@Module({ imports: [TesseraModule], controllers: [JwtController] })
export class AppModule {}

/** The same wiring by hand. */
@Module({ controllers: [JwtController] })
export class ManualModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuthMiddleware).forRoutes("*");
  }
}

export async function main(): Promise<void> {
  const app = await NestFactory.create(ManualModule);
  app.useGlobalFilters(new SessionExceptionFilter());
  await app.listen(3001);
}
