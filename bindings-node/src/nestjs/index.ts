/**
 * NestJS (Express platform), ready-made where supertokens-node only documents the pattern:
 *
 * ```ts
 * @Module({ imports: [TesseraModule], controllers: [JwtController] })  // refresh, sign-out, JWKS;
 * class AppModule {}                                                   // session errors from handlers
 *
 * @Controller()
 * class JwtController {
 *   @Get("getJWT") @UseGuards(new AuthGuard())
 *   getJWT(@Session() session: SessionContainer) { return { token: session.getAccessToken() }; }
 * }
 * ```
 *
 * Without the module: `consumer.apply(AuthMiddleware).forRoutes("*")` and
 * `app.useGlobalFilters(new SessionExceptionFilter())`. A Fastify-platform app needs the Fastify
 * integration instead. The classes are decorated by calling Nest's decorator functions, so this
 * package needs no decorator compiler settings.
 */
import type {
  ArgumentsHost,
  CanActivate,
  ExceptionFilter,
  ExecutionContext,
  MiddlewareConsumer,
  NestMiddleware,
  NestModule,
} from "@nestjs/common";
import { Catch, HttpException, Module, createParamDecorator } from "@nestjs/common";
import { APP_FILTER } from "@nestjs/core";
import { TesseraError } from "../error";
import { answerError, middleware } from "../framework/express";
import type { ExpressLikeRequest, ExpressLikeResponse } from "../framework/express/adapter";
import { ExpressRequest, ExpressResponse } from "../framework/express/adapter";
import type { VerifySessionOptions } from "../recipe/session/common";
import { verifyRoute } from "../recipe/session/common";
// The session interface (supertokens-node's type): what apps may also store there.
import type { SessionContainerInterface as SessionContainer } from "../recipe/session/sessionContainer";

export type { VerifySessionOptions };

/**
 * Thrown by {@link AuthGuard} after it has answered a session error itself (401/403 with the
 * cookies cleared as the core says), to stop Nest from running the handler. An `HttpException`,
 * so that Nest's own filter only ends the already-sent response and logs nothing.
 */
export class SessionResponseSentException extends HttpException {
  constructor(readonly sessionError: TesseraError, status: number) {
    super(sessionError.message, status);
  }
}

/**
 * A guard that verifies the request's session and stores it on `req.session` (read it with
 * {@link Session}). Session errors are answered here with the protocol's response; with
 * `sessionRequired: false` a request without a session passes with `req.session` undefined.
 * The app's `override.apis` `verifySession`, when it replaced Tessera's, gives the session.
 *
 * ```ts
 * @UseGuards(new AuthGuard())  or  @UseGuards(new AuthGuard({ sessionRequired: false }))
 * ```
 */
export class AuthGuard implements CanActivate {
  constructor(private readonly options?: VerifySessionOptions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<ExpressLikeRequest & { session?: SessionContainer }>();
    const res = http.getResponse<ExpressLikeResponse>();
    try {
      req.session = await verifyRoute(new ExpressRequest(req), new ExpressResponse(res), this.options);
      return true;
    } catch (err) {
      let passedOn = false;
      const answering = answerError(err, req, res, () => {
        passedOn = true;
      });
      // The exception carries the status sent: an app's error handler must have written it.
      if (answering !== undefined) await answering;
      if (passedOn || !(err instanceof TesseraError)) throw err;
      throw new SessionResponseSentException(err, res.statusCode);
    }
  }
}

/**
 * The route parameter decorator for the session {@link AuthGuard} stored (`undefined` when
 * there is none): `handler(@Session() session: SessionContainer)`. It reads `req.session`, as
 * Nest's own `@Session()` does.
 */
export const Session = createParamDecorator(
  (_data: unknown, context: ExecutionContext): SessionContainer | undefined =>
    context.switchToHttp().getRequest<{ session?: SessionContainer }>().session,
);

/**
 * Answers session errors thrown by handlers after the guard (by `mergeIntoAccessTokenPayload`,
 * `revokeSession`, or thrown on purpose) with the protocol's response. Other errors it catches
 * (a `TesseraError` that is not a session error) are answered 500, as Nest answers unknown errors.
 */
export class SessionExceptionFilter implements ExceptionFilter<TesseraError> {
  catch(exception: TesseraError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<ExpressLikeRequest>();
    const res = http.getResponse<ExpressLikeResponse>();
    answerError(exception, req, res, () => {
      new ExpressResponse(res).send(500, JSON.stringify({ statusCode: 500, message: "Internal server error" }));
    });
  }
}
Catch(TesseraError)(SessionExceptionFilter);

/** Nest middleware serving the core's endpoints (`{apiBasePath}/session/refresh`, `/signout`,
 * the JWKS); every other request goes on. */
export class AuthMiddleware implements NestMiddleware {
  private readonly handle = middleware();

  use(req: ExpressLikeRequest, res: ExpressLikeResponse, next: (error?: unknown) => void): Promise<void> {
    return this.handle(req, res, next);
  }
}

/** Everything a Nest app needs besides the guard: {@link AuthMiddleware} on every route and
 * {@link SessionExceptionFilter} as a global filter. */
export class TesseraModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuthMiddleware).forRoutes("*");
  }
}
Module({ providers: [{ provide: APP_FILTER, useClass: SessionExceptionFilter }] })(TesseraModule);

export { TesseraError as Error };
export default { AuthGuard, Session, SessionExceptionFilter, AuthMiddleware, TesseraModule };
