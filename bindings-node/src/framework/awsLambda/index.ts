/**
 * The AWS Lambda integration (supertokens-node's `supertokens-node/framework/awsLambda`), for API
 * Gateway v1 (REST) and v2 (HTTP) events; usable bare or under middy:
 *
 * ```ts
 * export const handler = middleware(fallbackHandler);   // serves {apiBasePath}/session/refresh, /signout, JWKS
 * ```
 */
import type { Callback, Context } from "aws-lambda";
import { TesseraError } from "../../error";
// The session interface (supertokens-node's type): what apps may also store there.
import type { SessionContainerInterface as SessionContainer } from "../../recipe/session/sessionContainer";
import { errorAnswer, whenAnswered } from "../../recipe/session/common";
import type { Mutations } from "../../native";
import { engine } from "../../state";
import { handleApiRequest } from "../api";
import { applyMutations } from "../response";
import type { LambdaEvent, LambdaResult, SupertokensEventData } from "./adapter";
import { AwsRequest, AwsResponse, coreResult, deferredFor, isV2, sendResponse } from "./adapter";

export { AwsRequest, AwsResponse, sendResponse, isV2 };
export type { LambdaEvent, LambdaResult, SupertokensEventData };

/** An API Gateway v1 event with the session `verifySession` stores, and the response changes
 * queued for it in `supertokens.response` (as supertokens-node's `SessionEvent`). */
export type SessionEvent = import("aws-lambda").APIGatewayProxyEvent & {
  session?: SessionContainer;
  supertokens: SupertokensEventData;
};
/** An API Gateway v2 event with the session `verifySession` stores, and the response changes
 * queued for it in `supertokens.response` (as supertokens-node's `SessionEventV2`). */
export type SessionEventV2 = import("aws-lambda").APIGatewayProxyEventV2 & {
  session?: SessionContainer;
  supertokens: SupertokensEventData;
};

/**
 * A Lambda handler `middleware` and `verifySession` wrap. The event is `any` unless given, as
 * with aws-lambda's `Handler` that supertokens-node takes: a handler typed for one event
 * (`SessionEvent`) may be wrapped and its wrapper called with another's. It may return its
 * result or a Promise of it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- aws-lambda's Handler default, as supertokens-node types it
export type Handler<E = any> = (
  event: E,
  context: import("aws-lambda").Context,
  callback: import("aws-lambda").Callback,
) => unknown;

/** The result answering a session error (a Promise of it when the app's error handler answers),
 * or null for any other error. */
export function errorResult(event: LambdaEvent, err: unknown): LambdaResult | Promise<LambdaResult> | null {
  if (!(err instanceof TesseraError) || !err.isSessionError()) return null;
  return whenAnswered(errorAnswer(engine(), new AwsRequest(event), err), (answer) => answerResult(event, answer));
}

/** The core's answer as a result, with the queued changes merged in. */
function answerResult(event: LambdaEvent, answer: Mutations): LambdaResult {
  const { status, body } = applyMutations(new AwsResponse(event), answer);
  return sendResponse(event, coreResult(status, body));
}

/** The answer to a request `middleware()` does not serve and has no handler for: supertokens-node's
 * 404, naming the path (v1: `event.path`; v2: the path without the stage, with the query) and the
 * lowercase method, without its sentence sending the user to supertokens-node's issue tracker. */
function notServed(event: LambdaEvent): LambdaResult {
  const request = new AwsRequest(event);
  const url = isV2(event) ? request.path() : (event.path ?? "/");
  const error = `The middleware couldn't serve the API path ${url}, method: ${request.method().toLowerCase()}.`;
  return coreResult(404, JSON.stringify({ error }));
}

/** The response adapter `handleApiRequest` writes an app's API functions' changes to: the
 * event's queue, merged into the result by {@link answerResult} with the answer. */
const responseOf = (event: LambdaEvent) => new AwsResponse(event);

/**
 * Serves the core's endpoints; any other request goes to `handler` (whose result gets the
 * changes a session function queued, e.g. `createNewSession`), or is answered 404 (`notServed`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see Handler
export function middleware<E extends object = any>(handler?: Handler<E>) {
  return async (event: E, context?: unknown, callback?: unknown): Promise<LambdaResult> => {
    const ev = event as unknown as LambdaEvent;
    try {
      const answer = await handleApiRequest(new AwsRequest(ev), ev, responseOf);
      if (answer !== null) return answerResult(ev, answer);
      if (handler === undefined) return notServed(ev);
      return sendResponse(ev, await handler(event, context as Context, callback as Callback));
    } catch (err) {
      const result = errorResult(ev, err);
      if (result === null) throw err;
      return result;
    }
  };
}

export { deferredFor };
export default { middleware };
