// A local stand-in for Amazon API Gateway in front of Lambda functions (a REST API with Lambda
// proxy integrations, payload format 1.0), so that the Lambda apps of frameworks.mjs answer real
// HTTP requests: each request becomes the event API Gateway would pass, the function's result
// becomes the HTTP answer. It models what the libraries read and write:
//
// - the event: `httpMethod`; `path` as sent, without the query; `headers` with the names as sent
//   and the last value of a repeated header, `multiValueHeaders` with every value in order;
//   `queryStringParameters` (last value of a repeated key; null without a query) and
//   `multiValueQueryStringParameters`; `requestContext` (stage "test"); `body` (null when empty);
// - the answer: `statusCode` (a result without one is API Gateway's 502), `headers`, and
//   `multiValueHeaders` (each value a header line of its own; a name in both keeps only the
//   multi-value ones); a request no function serves is API Gateway's 403.
//
// The function is picked by `route(event)`, as API Gateway picks it by resource and method.
import { randomUUID } from "node:crypto";

const STAGE = "test";

/** The API Gateway event (payload 1.0) of a Node request and its body. */
function restApiEvent(req, body) {
  const url = new URL(req.url, "http://api-gateway.invalid");
  const multiValueHeaders = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) (multiValueHeaders[req.rawHeaders[i]] ??= []).push(req.rawHeaders[i + 1]);
  const multiValueQuery = {};
  for (const [k, v] of url.searchParams) (multiValueQuery[k] ??= []).push(v);
  const hasQuery = Object.keys(multiValueQuery).length > 0;
  return {
    resource: "/{proxy+}",
    path: req.url.split("?", 1)[0],
    httpMethod: req.method,
    headers: Object.fromEntries(Object.entries(multiValueHeaders).map(([k, v]) => [k, v.at(-1)])),
    multiValueHeaders,
    queryStringParameters: hasQuery ? Object.fromEntries(Object.entries(multiValueQuery).map(([k, v]) => [k, v.at(-1)])) : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { httpMethod: req.method, path: `/${STAGE}${req.url.split("?", 1)[0]}`, stage: STAGE, requestId: randomUUID(), resourcePath: "/{proxy+}" },
    body: body.length > 0 ? body.toString("utf8") : null,
    isBase64Encoded: false,
  };
}

/** Writes a function's result as API Gateway answers with it. */
function writeResult(res, result) {
  if (typeof result?.statusCode !== "number") {
    res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ message: "Internal server error" }));
    return;
  }
  const multi = result.multiValueHeaders ?? {};
  const multiNames = new Set(Object.keys(multi).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(result.headers ?? {})) if (!multiNames.has(k.toLowerCase())) res.setHeader(k, String(v));
  for (const [k, v] of Object.entries(multi)) res.setHeader(k, v.map(String));
  res.statusCode = result.statusCode;
  res.end(result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? ""));
}

/**
 * A Node request listener acting as API Gateway: `route(event)` gives the function (a Lambda
 * handler) serving the event, or nothing; an error the function throws is a failed invocation,
 * passed to `onError(event, err)`, which gives the result to answer with instead.
 */
export function apiGateway(route, onError) {
  return async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const event = restApiEvent(req, Buffer.concat(chunks));
    const fn = route(event);
    if (fn === undefined) {
      res.writeHead(403, { "content-type": "application/json" }).end(JSON.stringify({ message: "Missing Authentication Token" }));
      return;
    }
    let result;
    try {
      result = await fn(event, { awsRequestId: event.requestContext.requestId, functionName: "differential" }, () => {});
    } catch (err) {
      result = onError(event, err);
    }
    writeResult(res, result);
  };
}
