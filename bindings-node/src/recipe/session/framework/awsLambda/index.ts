/**
 * `verifySession` for AWS Lambda (supertokens-node's
 * `supertokens-node/recipe/session/framework/awsLambda`):
 *
 * ```ts
 * exports.handler = verifySession(async (event) => ({ statusCode: 200, body: JSON.stringify({ token: event.session.getAccessToken() }) }));
 * ```
 */
import type { Callback, Context } from "aws-lambda";
import { TesseraError } from "../../../../error";
import type { LambdaEvent, LambdaResult } from "../../../../framework/awsLambda/adapter";
import { AwsRequest, AwsResponse, sendResponse } from "../../../../framework/awsLambda/adapter";
import type { Handler } from "../../../../framework/awsLambda";
import { errorResult } from "../../../../framework/awsLambda";
import type { VerifySessionOptions } from "../../common";
import { verifyRoute } from "../../common";
import type { SessionContainer } from "../../sessionContainer";

export type { VerifySessionOptions };
export type { SessionEvent, SessionEventV2 } from "../../../../framework/awsLambda";

/**
 * Wraps `handler`: verifies the event's session and stores it on `event.session`, then merges
 * the response changes (refreshed tokens, cleared cookies, `front-token`) into the handler's
 * result. Session errors, here or in the handler, are answered with the protocol's result;
 * other errors are rethrown (to middy's `onError`).
 * The app's `override.apis` `verifySession`, when it replaced Tessera's, gives the session.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- aws-lambda's Handler default, as supertokens-node types it
export function verifySession<E extends object = any>(handler: Handler<E>, options?: VerifySessionOptions) {
  return async (event: E, context?: unknown, callback?: unknown): Promise<LambdaResult> => {
    const ev = event as unknown as LambdaEvent;
    try {
      const session = await verifyRoute(new AwsRequest(ev), new AwsResponse(ev), options);
      (event as E & { session?: SessionContainer }).session = session;
      return sendResponse(ev, await handler(event, context as Context, callback as Callback));
    } catch (err) {
      const result = errorResult(ev, err);
      if (result === null) throw err;
      return result;
    }
  };
}

export { TesseraError as Error };
export default { verifySession };
