/**
 * The AWS Lambda integration (supertokens-node's `supertokens-node/framework/awsLambda`), for API
 * Gateway v1 (REST) and v2 (HTTP) events; usable bare or under middy:
 *
 * ```ts
 * export const handler = middleware(fallbackHandler);   // serves {apiBasePath}/session/refresh, /signout, JWKS
 * ```
 */
import { TesseraError } from "../../error";
import type { SessionContainer } from "../../recipe/session/sessionContainer";
import { errorAnswer, whenAnswered } from "../../recipe/session/common";
import type { Mutations } from "../../native";
import { engine } from "../../state";
import { handleApiRequest } from "../api";
import { applyMutations } from "../response";
import type { LambdaEvent, LambdaResult } from "./adapter";
import { AwsRequest, AwsResponse, coreResult, deferredFor, isV2, sendResponse } from "./adapter";

export { AwsRequest, AwsResponse, sendResponse, isV2 };
export type { LambdaEvent, LambdaResult };

/** An API Gateway v1 event with the session `verifySession` stores. */
export type SessionEvent = import("aws-lambda").APIGatewayProxyEvent & { session?: SessionContainer };
/** An API Gateway v2 event with the session `verifySession` stores. */
export type SessionEventV2 = import("aws-lambda").APIGatewayProxyEventV2 & { session?: SessionContainer };

export type Handler<E = LambdaEvent> = (event: E, context: unknown, callback: unknown) => unknown;

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
export function middleware<E extends object = LambdaEvent>(handler?: Handler<E>) {
  return async (event: E, context?: unknown, callback?: unknown): Promise<LambdaResult> => {
    const ev = event as unknown as LambdaEvent;
    try {
      const answer = await handleApiRequest(new AwsRequest(ev), ev, responseOf);
      if (answer !== null) return answerResult(ev, answer);
      if (handler === undefined) return notServed(ev);
      return sendResponse(ev, await handler(event, context, callback));
    } catch (err) {
      const result = errorResult(ev, err);
      if (result === null) throw err;
      return result;
    }
  };
}

export { deferredFor };
export default { middleware };
