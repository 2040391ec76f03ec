/**
 * `tessera-session/types`: the types of supertokens-node's `supertokens-node/types` that
 * session code uses (`TypeInput` of `init`, `AppInfo`, the JSON types, `UserContext`).
 * Types only: nothing to import at runtime.
 */
export type { AppInfo, TypeInput, BaseRequest } from "./index";
export type { UserContext } from "./recipe/session/errorHandlers";

/** A request method, lowercase (what `BaseRequest.getMethod()` gives). */
export type HTTPMethod = "post" | "get" | "delete" | "put" | "patch" | "options" | "trace";

/** A JSON primitive. */
export type JSONPrimitive = string | number | boolean | null;
/** A JSON array. */
export type JSONArray = Array<JSONValue>;
/** A JSON value (`undefined` for an absent property, as supertokens-node allows). */
export type JSONValue = JSONPrimitive | JSONObject | JSONArray | undefined;
/** A JSON object, such as an access token payload or session data. */
export interface JSONObject {
  [ind: string]: JSONValue;
}
