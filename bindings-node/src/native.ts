/**
 * The native addon's contract, as this facade uses it, and its loader.
 *
 * Everything about the protocol (tokens, cookies, anti-CSRF, status codes, bodies) is decided
 * by the core behind these functions; the facade converts arguments, calls, maps errors
 * ({@link ./error}) and applies the returned {@link Mutations}.
 */

// The addon's types come from the `.d.ts` napi-rs generates from the Rust exports (committed as
// `native.d.ts`, checked for drift by scripts/node-test.sh), so they cannot disagree with it.
import type * as Generated from "../native";

/** The addon's exports. */
export type NativeModule = typeof Generated;
/** One configured engine (the addon's `Engine`). */
export type NativeEngine = Generated.Engine;
/** A session as the core returns it (the addon's `Session`, a class with getters). */
export type NativeSession = Generated.Session;
/** What the core asks of a response. `cookies[].header` is a complete `Set-Cookie` value. */
export type Mutations = Generated.Mutations;
/** One header change: `set` replaces, `remove` deletes, `append` merges into a list header. */
export type HeaderOp = Generated.HeaderOp;
/** One `Set-Cookie` value to add, with the name of its cookie. */
export type CookieOp = Generated.CookieOp;
/** A verification outcome: the session, if any, and what to write on the response, if
 * anything. (The addon returns the session alone when there is nothing to write.) */
export interface SessionWithMutations {
  session: NativeSession | null;
  mutations: Mutations | null;
}

/** The request headers the core reads, flat: `[lowercase name, value, name, value, ...]`. */
export type Headers = string[];

let loaded: NativeModule | undefined;

/** The addon (`bindings-node/native.js`, the napi-rs loader), loaded on first use. */
export function native(): NativeModule {
  if (loaded === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require("../native.js") as NativeModule;
  }
  return loaded;
}
