// The apps of the differential test, on each framework both libraries integrate with: the same
// routes (harness.mjs `ROUTES`, flows.mjs `FLOW_ROUTES`) behind each library's own integration
// for that framework, set up as its documentation shows (supertokens-node's
// `supertokens-node/framework/<fw>` and `.../recipe/session/framework/<fw>`, Tessera's
// `tessera-session/...` of the same shapes). The frameworks are those of this directory's
// package.json; an app is the same code on either library.
//
// Errors that neither library answers end, on every framework, as 500 `{"unhandledError": true}`
// from the app's last error handler, and are logged in `unhandled`: the comparison then covers
// them as one answer, and the test can check that Tessera left none unanswered.
import http from "node:http";
import { apiGateway } from "./api-gateway.mjs";
import { FLOW_ROUTES } from "./flows.mjs";
import { ROUTES, requireDep, requireTessera } from "./harness.mjs";

const APP_ROUTES = [...ROUTES, ...FLOW_ROUTES];

/** A route's method as Express's and @koa/router's route functions name it. */
const routerMethod = (r) => (r.method === "ALL" ? "all" : r.method.toLowerCase());

/** The handlers a route has before its own on Express and Koa: `lib`'s verifySession, if any. */
const verifyFirst = (lib, r) => (r.verify ? [lib.verifySession(r.verify)] : []);

/** What each library is on `framework`: `name`, its root module (`root`: init,
 * convertToRecipeUserId), its Session recipe, and the exports of its framework integration and
 * of its verifySession for that framework (middleware/plugin/errorHandler, verifySession). */
export function libraryFor(name, framework) {
  const load = name === "tessera" ? (p) => requireTessera(`tessera-session${p}`) : (p) => requireDep(`supertokens-node${p}`);
  return {
    name,
    root: name === "tessera" ? load("").default : load(""),
    Session: name === "tessera" ? load("/recipe/session").default : load("/recipe/session"),
    ...(framework === "nextjs"
      ? load("/nextjs")
      : { ...load(`/framework/${framework}`), ...load(`/recipe/session/framework/${framework}`) }),
  };
}

/** Logs an error no library answered. */
function logUnhandled(unhandled, lib, method, url, err) {
  unhandled.push({ lib: lib.name, request: `${method} ${String(url).slice(0, 100)}`, error: String(err?.message ?? err).split("\n", 1)[0] });
}

const UNHANDLED_BODY = { unhandledError: true };

/** A Node HTTP server for the apps. Headers up to 1 MiB: the corpus's 100 KB tokens must reach
 * the libraries, not Node's default 16 KB limit. */
const httpServer = (listener) => http.createServer({ maxHeaderSize: 1 << 20 }, listener);

/** Listens on a loopback port; resolves to {port, close}. */
async function listen(server) {
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(r);
      }),
  };
}

/** Express: `app.use(middleware())`, `verifySession(options)` before the route, `app.use(errorHandler())`. */
async function express(lib, unhandled) {
  const app = requireDep("express")();
  app.disable("x-powered-by");
  app.disable("etag");
  app.use(lib.middleware());
  for (const r of APP_ROUTES) {
    app[routerMethod(r)](r.path, ...verifyFirst(lib, r), async (req, res) => {
      res.json(await r.answer({ session: req.session, query: req.query, lib, req, res }));
    });
  }
  app.use(lib.errorHandler());
  app.use((err, req, res, _next) => {
    logUnhandled(unhandled, lib, req.method, req.url, err);
    if (!res.headersSent) res.status(500).json(UNHANDLED_BODY);
  });
  return listen(httpServer(app));
}

/** Fastify: `app.register(plugin)`, `verifySession(options)` as the route's preHandler,
 * `setErrorHandler(errorHandler())`. The routes and the library's error handler are in a scope of
 * their own, so that what that handler passes on (supertokens-node rethrows, Tessera sends the
 * error back to Fastify) reaches the root's handler, the last one. */
async function fastify(lib, unhandled) {
  const app = requireDep("fastify")({ logger: false, serverFactory: (handler) => httpServer(handler) });
  await app.register(lib.plugin);
  app.setErrorHandler(async (err, req, reply) => {
    logUnhandled(unhandled, lib, req.method, req.url, err);
    return reply.code(500).send(UNHANDLED_BODY);
  });
  await app.register(async (scope) => {
    scope.setErrorHandler(lib.errorHandler());
    for (const r of APP_ROUTES) {
      scope.route({
        method: r.method === "ALL" ? scope.supportedMethods : r.method,
        url: r.path,
        ...(r.verify ? { preHandler: lib.verifySession(r.verify) } : {}),
        handler: async (req, reply) => r.answer({ session: req.session, query: req.query, lib, req, res: reply }),
      });
    }
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  return { port: app.server.address().port, close: () => app.close() };
}

/** Koa: `app.use(middleware())`, `verifySession(options)` before the @koa/router route (session
 * on `ctx.session`; the context is both `req` and `res` of the Session functions). The first
 * middleware is the last error handler. */
async function koa(lib, unhandled) {
  const Koa = requireDep("koa");
  const Router = requireDep("@koa/router");
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    // The app is reached over plain HTTP on loopback, but several groups are for https sites
    // (Secure cookies). supertokens-node writes its cookies with Koa's `ctx.cookies.set`, which
    // refuses Secure cookies on a connection it does not know to be encrypted (a 500 on every
    // sign-in); an app served over TLS, or behind a TLS proxy with `app.proxy`, knows it is.
    // Tessera writes the Set-Cookie header itself and does not depend on this.
    ctx.cookies.secure = true;
    try {
      await next();
    } catch (err) {
      logUnhandled(unhandled, lib, ctx.method, ctx.originalUrl, err);
      ctx.status = 500;
      ctx.body = UNHANDLED_BODY;
    }
  });
  app.use(lib.middleware());
  const router = new Router();
  for (const r of APP_ROUTES) {
    router[routerMethod(r)](r.path, ...verifyFirst(lib, r), async (ctx) => {
      ctx.body = await r.answer({ session: ctx.session, query: ctx.query, lib, req: ctx, res: ctx });
    });
  }
  app.use(router.routes());
  return listen(httpServer(app.callback()));
}

/** Hapi: `server.register(plugin)`, `verifySession(options)` as the route's `pre` method (the
 * Session functions take `request` and the toolkit `h`). An `onPreResponse` extension added
 * after the plugin's is the last error handler: a 500 Boom is an error nobody answered. Hapi's
 * defaults are kept: its own cookie parser answers 400 to a Cookie header it cannot parse, before
 * a route's `pre` methods and before supertokens-node's plugin serves its endpoints
 * (onPreHandler); Tessera's, which serves them earlier (onRequest), answers such a request with
 * Hapi's own error (the corpus's `refresh/space_in_cookie_value`...). */
async function hapi(lib, unhandled) {
  const Hapi = requireDep("@hapi/hapi");
  const server = Hapi.server({ listener: httpServer(), host: "127.0.0.1", port: 0, autoListen: true });
  await server.register(lib.plugin);
  server.ext("onPreResponse", (request, h) => {
    const r = request.response;
    if (!r?.isBoom || r.output.statusCode !== 500) return h.continue;
    logUnhandled(unhandled, lib, request.method.toUpperCase(), request.url.pathname + request.url.search, r);
    return h.response(UNHANDLED_BODY).code(500);
  });
  for (const r of APP_ROUTES) {
    server.route({
      method: r.method === "ALL" ? "*" : r.method,
      path: r.path,
      options: r.verify ? { pre: [{ method: lib.verifySession(r.verify) }] } : {},
      handler: (request, h) => r.answer({ session: request.session, query: request.query, lib, req: request, res: h }),
    });
  }
  await server.start();
  return { port: server.info.port, close: () => server.stop() };
}

/** The apiBasePath of every group (appInfo leaves the default). */
const API_BASE_PATH = "/auth";

/**
 * AWS Lambda behind API Gateway (api-gateway.mjs, a REST API), deployed as supertokens-node's
 * documentation shows: the paths under apiBasePath go to one function, `middleware()`; each route
 * to a function of its own, `verifySession(handler, options)`, or `middleware(handler)` for
 * sign-in (which puts what createNewSession queued on the event into the handler's result). The
 * event is both `req` and `res` of the Session functions. A function that throws is API Gateway's
 * 500, given here as the other frameworks' last error handler answers.
 */
async function awsLambda(lib, unhandled) {
  const api = lib.middleware();
  const functions = APP_ROUTES.map((r) => {
    const handler = async (event) => ({
      statusCode: 200,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(await r.answer({ session: event.session, query: event.queryStringParameters ?? {}, lib, req: event, res: event })),
    });
    return { route: r, fn: r.verify ? lib.verifySession(handler, r.verify) : lib.middleware(handler) };
  });
  const route = (event) => {
    if (event.path === API_BASE_PATH || event.path.startsWith(`${API_BASE_PATH}/`)) return api;
    return functions.find(({ route: r }) => r.path === event.path && (r.method === "ALL" || r.method === event.httpMethod))?.fn;
  };
  const onError = (event, err) => {
    logUnhandled(unhandled, lib, event.httpMethod, event.path, err);
    return { statusCode: 500, body: JSON.stringify(UNHANDLED_BODY) };
  };
  return listen(httpServer(apiGateway(route, onError)));
}

/** The HTTP methods of "ALL" routes where a framework needs one route per method (the corpus
 * sends these). */
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/**
 * LoopBack 4: `app.middleware(middleware)`, routes as controllers whose method carries
 * `@intercept(verifySession(options))` (applied with `Reflect.decorate`, as TypeScript emits the
 * decorators), the HTTP context injected: the session is on it, and it is both `req` and `res` of
 * the Session functions. LoopBack's own CORS middleware answers OPTIONS before any route, in both
 * apps alike. Errors reach LoopBack's reject action, the last error handler.
 */
async function loopback(lib, unhandled) {
  requireDep("reflect-metadata");
  const { inject, intercept } = requireDep("@loopback/core");
  const { RestApplication, RestBindings, operation } = requireDep("@loopback/rest");
  const app = new RestApplication({ rest: { port: 0, host: "127.0.0.1", requestBodyParser: { json: { strict: false } } }, shutdown: { signals: [] } });
  app.bind(RestBindings.SequenceActions.REJECT).to((context, err) => {
    const { request, response } = context;
    // LoopBack's own answers (404 for a path no controller serves...), as its reject action
    // writes them; anything else is an error nobody answered.
    if (err?.statusCode >= 400 && err.statusCode < 500) {
      if (!response.headersSent) response.status(err.statusCode).json({ error: { statusCode: err.statusCode, name: err.name, message: err.message } });
      return;
    }
    logUnhandled(unhandled, lib, request.method, request.url, err);
    if (!response.headersSent) response.status(500).json(UNHANDLED_BODY);
  });
  app.middleware(lib.middleware);
  let n = 0;
  for (const r of APP_ROUTES) {
    for (const method of r.method === "ALL" ? METHODS.filter((m) => m !== "OPTIONS") : [r.method]) {
      class Controller {
        constructor(ctx) {
          this.ctx = ctx;
        }
        handler() {
          const ctx = this.ctx;
          return r.answer({ session: ctx.session, query: ctx.request.query, lib, req: ctx, res: ctx });
        }
      }
      inject(RestBindings.Http.CONTEXT)(Controller, undefined, 0);
      const decorators = [operation(method.toLowerCase(), r.path, { responses: {} }), ...(r.verify ? [intercept(lib.verifySession(r.verify))] : [])];
      Reflect.decorate(decorators, Controller.prototype, "handler", Object.getOwnPropertyDescriptor(Controller.prototype, "handler"));
      app.controller(Controller, `controller${n++}`);
    }
  }
  await app.start();
  // LoopBack makes its server without options; Node reads the header limit per connection.
  app.restServer.httpServer.server.maxHeaderSize = 1 << 20;
  return { port: Number(new URL(app.restServer.url).port), close: () => app.stop() };
}

/**
 * Next.js App Router, without Next's server: a route handler is a function from a `NextRequest`
 * to a `Response`, and this server makes the `NextRequest` as Next does and writes the answer.
 * The paths under apiBasePath go to `getAppDirRequestHandler()` (the docs' catch-all
 * `app/auth/[[...path]]/route.ts`); a route with verify options to `withSession(request, handler,
 * options)`, whose handler answers an error it is given 500 and no session 401 "Authentication
 * required" (the docs' handler); sign-in to `withPreParsedRequestResponse`, the request and
 * response it gives being those of the Session functions.
 */
async function nextjs(lib, unhandled) {
  const { NextRequest, NextResponse } = requireDep("next/server");
  const handleAuth = lib.getAppDirRequestHandler();
  const serve = async (request, r, query) => {
    if (request.nextUrl.pathname === API_BASE_PATH || request.nextUrl.pathname.startsWith(`${API_BASE_PATH}/`)) return handleAuth(request);
    if (r === undefined) return new NextResponse("Not found", { status: 404 });
    if (!r.verify) {
      return lib.withPreParsedRequestResponse(request, async (req, res) => NextResponse.json(await r.answer({ session: undefined, query, lib, req, res })));
    }
    return lib.withSession(
      request,
      async (err, session) => {
        if (err) return NextResponse.json(err, { status: 500 });
        if (!session && r.verify.sessionRequired !== false) return new NextResponse("Authentication required", { status: 401 });
        return NextResponse.json(await r.answer({ session, query, lib, req: request, res: undefined }));
      },
      r.verify,
    );
  };
  return listen(
    httpServer(async (req, res) => {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const url = new URL(req.url, `http://${req.headers.host ?? "127.0.0.1"}`);
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
      const withBody = req.method !== "GET" && req.method !== "HEAD";
      const request = new NextRequest(url, { method: req.method, headers, ...(withBody ? { body: Buffer.concat(chunks) } : {}) });
      const r = APP_ROUTES.find((x) => x.path === url.pathname && (x.method === "ALL" || x.method === req.method));
      let response;
      try {
        response = await serve(request, r, Object.fromEntries(url.searchParams));
      } catch (err) {
        // What Next answers for a route handler that throws.
        logUnhandled(unhandled, lib, req.method, req.url, err);
        response = Response.json(UNHANDLED_BODY, { status: 500 });
      }
      res.statusCode = response.status;
      for (const [k, v] of response.headers) if (k !== "set-cookie") res.setHeader(k, v);
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) res.setHeader("set-cookie", cookies);
      res.end(Buffer.from(await response.arrayBuffer()));
    }),
  );
}

const APPS = { express, fastify, koa, hapi, awsLambda, loopback, nextjs };

/** The `framework` both libraries' `init` takes for an app of APPS: the App Router is the
 * "custom" framework to supertokens-node. */
export const initFramework = (framework) => (framework === "nextjs" ? "custom" : framework);

/** The frameworks the apps run on, the names both libraries' `init({framework})` and module paths use. */
export const FRAMEWORKS = Object.keys(APPS);

/** Starts `lib`'s app on `framework` (the library initialised for it); resolves to {port, close}. */
export function startApp(framework, lib, unhandled) {
  return APPS[framework](lib, unhandled);
}
