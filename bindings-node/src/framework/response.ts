/**
 * The response side of a framework integration: applying the core's mutations. The semantics
 * of each operation live here, once:
 *
 * - `set` replaces the header, `remove` deletes it;
 * - `append` adds to a comma-separated list header (`Access-Control-Expose-Headers`), merged
 *   with what the response already holds by the core's `appendToHeaderList`, so values the
 *   application set are kept;
 * - each cookie is a complete `Set-Cookie` value, added raw (never re-serialised) after removing
 *   an earlier `Set-Cookie` for the same cookie name;
 * - `status` and `body` are set only when the core answers the request itself.
 */
import type { Mutations } from "../native";
import { native } from "../native";

export interface ResponseAdapter {
  /** The header's current value, joined with ", " if repeated, or null. */
  getHeader(name: string): string | null;
  setHeader(name: string, value: string): void;
  removeHeader(name: string): void;
  /** Adds `Set-Cookie: headerValue` as given, replacing one for the same cookie name. */
  addSetCookie(cookieName: string, headerValue: string): void;
}

/** What a handler that must return a Promise returns when it finished synchronously: one
 * settled Promise shared by every request, rather than one made per request. */
export const DONE: Promise<void> = Promise.resolve();

/** Whether `name` is `Content-Type`: an answer that sets it (an error handler's
 * `sendHTMLResponse`) keeps it rather than getting the JSON type `send` gives the core's. */
export function isContentType(name: string): boolean {
  return name.length === 12 && name.toLowerCase() === "content-type";
}

/** The cookie name a `Set-Cookie` value is for (the text before its first `=`). */
export function setCookieName(headerValue: string): string {
  const i = headerValue.indexOf("=");
  return (i < 0 ? headerValue : headerValue.slice(0, i)).trim();
}

export function hasMutations(m: Mutations | null | undefined): m is Mutations {
  return (
    m !== null &&
    m !== undefined &&
    (m.status !== null || m.body !== null || (m.headers?.length ?? 0) > 0 || (m.cookies?.length ?? 0) > 0)
  );
}

/** Applies the header and cookie changes of `mutations`; returns its status and body (JSON
 * text), for the caller to send when the core answered the request. */
export function applyMutations(
  response: ResponseAdapter,
  mutations: Mutations | null | undefined,
): { status: number | null; body: string | null } {
  if (mutations === null || mutations === undefined) return { status: null, body: null };
  for (const { op, name, value } of mutations.headers ?? []) {
    if (op === "set") response.setHeader(name, value ?? "");
    else if (op === "remove") response.removeHeader(name);
    else if (op === "append") {
      response.setHeader(name, native().appendToHeaderList(response.getHeader(name), value ?? ""));
    } else throw new Error(`unknown header operation ${String(op)} from the native module`);
  }
  for (const { name, header } of mutations.cookies ?? []) response.addSetCookie(name, header);
  return { status: mutations.status ?? null, body: mutations.body ?? null };
}
