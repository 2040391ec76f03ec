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

// The SuperTokens docs' NestJS guide (supertokens-nestjs), its imports moved to tessera-session.
import { APP_GUARD } from "@nestjs/core";
import supertokens from "tessera-session";
import {
  PublicAccess,
  Session as StSession,
  SuperTokensAuthGuard,
  SuperTokensExceptionFilter,
  SuperTokensModule,
  VerifySession,
} from "tessera-session/nestjs";

const appInfo = { appName: "...", apiDomain: "http://localhost:3001", websiteDomain: "http://localhost:3000" };

@Controller()
class DocsController {
  @Get("/user")
  @VerifySession()
  async getUserInfo(@StSession("userId") userId: string): Promise<string> {
    return userId;
  }

  @Get("/user/:userId")
  @VerifySession({ roles: ["admin"] })
  async deleteUser(@StSession() session: SessionContainer): Promise<string> {
    return session.getHandle();
  }

  @Get("/user/profile")
  @PublicAccess()
  async getUserProfile(): Promise<void> {}
}

@Module({
  imports: [
    SuperTokensModule.forRoot({
      framework: "express",
      supertokens: { connectionURI: "..." },
      appInfo,
      recipeList: [SessionRecipe.init()],
    }),
  ],
  controllers: [DocsController],
  providers: [{ provide: APP_GUARD, useClass: SuperTokensAuthGuard }],
})
export class DocsAppModule {}

@Controller()
@UseGuards(SuperTokensAuthGuard)
export class GuardedController {}

export async function docsBootstrap(): Promise<void> {
  const app = await NestFactory.create(DocsAppModule);
  app.enableCors({
    origin: [appInfo.websiteDomain],
    allowedHeaders: ["content-type", ...supertokens.getAllCORSHeaders()],
    credentials: true,
  });
  app.useGlobalFilters(new SuperTokensExceptionFilter());
  await app.listen(3001);
}

@Module({
  imports: [
    SuperTokensModule.forRootAsync({
      useFactory: async () => ({ framework: "express" as const, appInfo, recipeList: [SessionRecipe.init()] }),
    }),
  ],
})
export class DocsAsyncModule {}
