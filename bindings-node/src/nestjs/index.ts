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
 * integration instead. The names of the `supertokens-nestjs` package the SuperTokens docs use
 * (`SuperTokensModule`, `SuperTokensAuthGuard`, `VerifySession`, ...) are here too, below. The classes are decorated by calling Nest's decorator functions, so this
 * package needs no decorator compiler settings.
 */
import type {
  ArgumentsHost,
  CanActivate,
  DynamicModule,
  ExceptionFilter,
  ExecutionContext,
  InjectionToken,
  MiddlewareConsumer,
  ModuleMetadata,
  NestMiddleware,
  NestModule,
  OnModuleInit,
  OptionalFactoryDependency,
  Provider,
  Type,
} from "@nestjs/common";
import { Catch, HttpException, Inject, Injectable, Module, createParamDecorator } from "@nestjs/common";
import { APP_FILTER, Reflector } from "@nestjs/core";
import type { TypeInput } from "../index";
import { init } from "../index";
import { TesseraError } from "../error";
import { plugin as fastifyPlugin } from "../framework/fastify";
import { getSession } from "../recipe/session";
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

/** What `@Session(name)` reads of the session: its getter `get<Name>()`. */
export type SessionPropertyName = "userId" | "tenantId" | "accessToken" | "accessTokenPayload";

/**
 * The route parameter decorator for the session a guard stored (`undefined` when there is
 * none): `handler(@Session() session: SessionContainer)`, or one of its values,
 * `@Session("userId") userId: string` (supertokens-nestjs's form: `get<Name>()` of the session,
 * an error when there is no session). It reads `req.session`, as Nest's own `@Session()` does.
 */
export const Session = createParamDecorator((propName: SessionPropertyName | undefined, context: ExecutionContext): unknown => {
  const session = context.switchToHttp().getRequest<{ session?: SessionContainer }>().session;
  if (!propName) return session;
  if (!session) throw new Error("Session does not exist");
  const getter = (session as unknown as Record<string, unknown>)[`get${propName.charAt(0).toUpperCase()}${propName.slice(1)}`];
  if (typeof getter !== "function") throw new Error(`Session property ${propName} does not exist`);
  return getter.call(session);
});

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

// ---- supertokens-nestjs's names ------------------------------------------------------------
//
// The SuperTokens docs set NestJS up with the `supertokens-nestjs` package: a module that
// initialises the SDK and serves its endpoints, a guard driven by decorators, and an exception
// filter. The same names here, over Tessera.

/** The provider token of {@link SuperTokensModule}'s options. */
export const SUPERTOKENS_MODULE_OPTIONS = "SUPERTOKENS_MODULE_OPTIONS";

/** `init`'s options, with the Nest platform: Express, or Fastify with its adapter (the plugin is
 * registered on it). */
export type SuperTokensModuleOptions = TypeInput & {
  framework: "express" | "fastify";
  fastifyAdapter?: { register(plugin: unknown): unknown };
};

/** Makes {@link SuperTokensModule}'s options, for `forRootAsync({ useClass | useExisting })`. */
export interface SuperTokensModuleOptionsFactory {
  createSuperTokensModuleOptions(): Promise<SuperTokensModuleOptions> | SuperTokensModuleOptions;
}

/** `SuperTokensModule.forRootAsync`'s argument, as Nest's async modules take it. */
export interface SuperTokensModuleAsyncOptions extends Pick<ModuleMetadata, "imports"> {
  global?: boolean;
  useExisting?: Type<SuperTokensModuleOptionsFactory>;
  useClass?: Type<SuperTokensModuleOptionsFactory>;
  useFactory?: (...args: any[]) => Promise<SuperTokensModuleOptions> | SuperTokensModuleOptions;
  inject?: (InjectionToken | OptionalFactoryDependency)[];
}

/** What {@link VerifySession} takes. `roles`, `permissions`, `requireEmailVerification: true`
 * and `requireMFA: true` need recipes Tessera does not have (user roles, email verification,
 * MFA): the guard refuses them with `NOT_SUPPORTED`. */
export type VerifySessionDecoratorOptions = {
  options?: VerifySessionOptions;
  roles?: string[];
  permissions?: string[];
  requireEmailVerification?: boolean;
  requireMFA?: boolean;
};

/** Marks a route handler as protected by {@link SuperTokensAuthGuard}, with options. */
export const VerifySession = Reflector.createDecorator<VerifySessionDecoratorOptions>();
/** Marks a route handler as open: {@link SuperTokensAuthGuard} lets it through unverified. */
export const PublicAccess = Reflector.createDecorator<unknown>();

/** The claim keys of the email verification and MFA recipes, whose global validators
 * `requireEmailVerification: false` and `requireMFA: false` remove. */
const EMAIL_VERIFICATION_CLAIM = "st-ev";
const MFA_CLAIM = "st-mfa";

/**
 * supertokens-nestjs's guard: every route it guards needs a session (`Session.getSession`, with
 * the handler's {@link VerifySession} options), but those marked {@link PublicAccess}. The session
 * is stored on `req.session`; session errors go to {@link SuperTokensExceptionFilter}.
 *
 * ```ts
 * providers: [{ provide: APP_GUARD, useClass: SuperTokensAuthGuard }]   or   @UseGuards(SuperTokensAuthGuard)
 * ```
 */
export class SuperTokensAuthGuard implements CanActivate {
  private readonly reflector = new Reflector();

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.get(PublicAccess, context.getHandler())) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<ExpressLikeRequest & { session?: SessionContainer }>();
    const res = http.getResponse<ExpressLikeResponse>();
    const options = verifyOptionsOf(this.reflector.get(VerifySession, context.getHandler()) ?? {});
    req.session = await getSession(req, res, options);
    return true;
  }
}
Injectable()(SuperTokensAuthGuard);

/** The getSession options of a handler's {@link VerifySession} options. */
function verifyOptionsOf(decorated: VerifySessionDecoratorOptions): VerifySessionOptions | undefined {
  const { roles, permissions, requireEmailVerification, requireMFA, options } = decorated;
  const missing = [
    roles && "roles (the user roles recipe)",
    permissions && "permissions (the user roles recipe)",
    requireEmailVerification && "requireEmailVerification (the email verification recipe)",
    requireMFA && "requireMFA (the multi-factor authentication recipe)",
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new TesseraError({ type: "NOT_SUPPORTED", message: `@VerifySession: ${missing.join(", ")} is not supported by Tessera, which has the session recipe only` });
  }
  const removed = [requireEmailVerification === false && EMAIL_VERIFICATION_CLAIM, requireMFA === false && MFA_CLAIM].filter(
    (k): k is string => typeof k === "string",
  );
  if (removed.length === 0) return options;
  const given = options?.overrideGlobalClaimValidators;
  return {
    ...options,
    overrideGlobalClaimValidators: async (globalValidators, session, userContext) => {
      const base = given === undefined ? globalValidators : await given(globalValidators, session, userContext);
      return base.filter((v) => !removed.includes(v.id));
    },
  };
}

/** supertokens-nestjs's exception filter: session errors answered with the protocol's response
 * (`app.useGlobalFilters(new SuperTokensExceptionFilter())`). */
export class SuperTokensExceptionFilter extends SessionExceptionFilter {}
Catch(TesseraError)(SuperTokensExceptionFilter);

/** The Express middleware {@link SuperTokensModule} applies: the core's endpoints. */
export class SuperTokensExpressAuthMiddleware extends AuthMiddleware {}
Injectable()(SuperTokensExpressAuthMiddleware);

/** Initialises Tessera with the module's options; on Fastify, registers the plugin on the
 * adapter. */
export class SuperTokensService implements OnModuleInit {
  constructor(private readonly options: SuperTokensModuleOptions) {
    const { fastifyAdapter: _adapter, ...config } = options;
    init(config);
  }

  async onModuleInit(): Promise<void> {
    if (this.options.framework !== "fastify") return;
    if (!this.options.fastifyAdapter) throw new Error("fastifyAdapter is required when using fastify as a framework");
    await this.options.fastifyAdapter.register(fastifyPlugin);
  }
}
Injectable()(SuperTokensService);
Inject(SUPERTOKENS_MODULE_OPTIONS)(SuperTokensService, undefined, 0);

/**
 * supertokens-nestjs's module: `SuperTokensModule.forRoot({ framework, supertokens, appInfo,
 * recipeList })` initialises Tessera and, on Express, serves the core's endpoints on every route
 * (global by default). Add {@link SuperTokensAuthGuard} and {@link SuperTokensExceptionFilter}.
 */
export class SuperTokensModule implements NestModule {
  constructor(private readonly options: SuperTokensModuleOptions) {}

  configure(consumer: MiddlewareConsumer): void {
    if (this.options.framework !== "express") return;
    consumer.apply(SuperTokensExpressAuthMiddleware).forRoutes("*");
  }

  static forRoot(options: SuperTokensModuleOptions & { global?: boolean }): DynamicModule {
    const { global = true } = options;
    return {
      module: SuperTokensModule,
      global,
      providers: [{ provide: SUPERTOKENS_MODULE_OPTIONS, useValue: options }, SuperTokensService],
    };
  }

  static forRootAsync(options: SuperTokensModuleAsyncOptions): DynamicModule {
    const { global = true } = options;
    const factory: Provider = options.useFactory
      ? { provide: SUPERTOKENS_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }
      : {
          provide: SUPERTOKENS_MODULE_OPTIONS,
          useFactory: (f: SuperTokensModuleOptionsFactory) => f.createSuperTokensModuleOptions(),
          inject: [options.useExisting ?? options.useClass ?? invalidAsyncOptions()],
        };
    const providers: Provider[] = [factory, SuperTokensService];
    if (!options.useFactory && !options.useExisting && options.useClass) providers.push({ provide: options.useClass, useClass: options.useClass });
    return { module: SuperTokensModule, global, imports: options.imports ?? [], providers };
  }
}
Module({})(SuperTokensModule);
Inject(SUPERTOKENS_MODULE_OPTIONS)(SuperTokensModule, undefined, 0);

function invalidAsyncOptions(): never {
  throw new Error("Invalid configuration options: SuperTokensModule.forRootAsync needs useFactory, useClass or useExisting");
}

export { TesseraError as Error };
export default {
  AuthGuard,
  Session,
  SessionExceptionFilter,
  AuthMiddleware,
  TesseraModule,
  SuperTokensModule,
  SuperTokensAuthGuard,
  SuperTokensExceptionFilter,
  VerifySession,
  PublicAccess,
};
