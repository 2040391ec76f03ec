/**
 * Response changes for frameworks whose response does not exist yet when the core speaks (Hapi's
 * `pre` methods, AWS Lambda's handler result): they are queued here and written later onto the
 * real response by {@link DeferredResponse.applyTo}. The semantics stay those of
 * `applyMutations` in `./response`: a header appended to a list (`Access-Control-Expose-Headers`)
 * is merged with what the real response then holds; cookies are raw `Set-Cookie` values.
 */
import { native } from "../native";
import type { ResponseAdapter } from "./response";
import { setCookieName } from "./response";

interface QueuedHeader {
  name: string;
  /** null: remove the header. */
  value: string | null;
  /** Appended to a comma-separated list: merge with the real response's value. */
  merge: boolean;
}

export class DeferredResponse implements ResponseAdapter {
  readonly wrapperUsed = true;
  private readonly queuedHeaders = new Map<string, QueuedHeader>();
  private readonly queuedCookies = new Map<string, string>();
  /** The header last read: `applyMutations` reads a list header right before appending to it. */
  private lastRead: string | null = null;

  getHeader(name: string): string | null {
    const key = name.toLowerCase();
    this.lastRead = key;
    return this.queuedHeaders.get(key)?.value ?? null;
  }

  setHeader(name: string, value: string): void {
    const key = name.toLowerCase();
    const merge = this.lastRead === key;
    this.lastRead = null;
    this.queuedHeaders.set(key, { name, value, merge });
  }

  removeHeader(name: string): void {
    this.lastRead = null;
    this.queuedHeaders.set(name.toLowerCase(), { name, value: null, merge: false });
  }

  addSetCookie(cookieName: string, headerValue: string): void {
    this.lastRead = null;
    this.queuedCookies.delete(cookieName);
    this.queuedCookies.set(cookieName, headerValue);
  }

  /** The queued headers (removals left out) and `Set-Cookie` values, in the shape of
   * supertokens-node's AWS Lambda `event.supertokens.response`. */
  snapshot(): { headers: { key: string; value: string; allowDuplicateKey: boolean }[]; cookies: string[] } {
    const headers: { key: string; value: string; allowDuplicateKey: boolean }[] = [];
    for (const { name, value, merge } of this.queuedHeaders.values()) {
      if (value !== null) headers.push({ key: name, value, allowDuplicateKey: merge });
    }
    return { headers, cookies: [...this.queuedCookies.values()] };
  }

  isEmpty(): boolean {
    return this.queuedHeaders.size === 0 && this.queuedCookies.size === 0;
  }

  /** Writes the queued changes onto `target` and forgets them. */
  applyTo(target: ResponseAdapter): void {
    for (const { name, value, merge } of this.queuedHeaders.values()) {
      if (value === null) target.removeHeader(name);
      else if (merge) {
        let merged = target.getHeader(name);
        for (const item of value.split(",")) {
          const v = item.trim();
          if (v !== "") merged = native().appendToHeaderList(merged, v);
        }
        target.setHeader(name, merged ?? "");
      } else target.setHeader(name, value);
    }
    for (const [name, header] of this.queuedCookies) target.addSetCookie(name, header);
    this.queuedHeaders.clear();
    this.queuedCookies.clear();
    this.lastRead = null;
  }
}

/**
 * A response held as a plain header record (Hapi's `response.headers`, a Lambda result's
 * `headers`), looked up case-insensitively, with the `Set-Cookie` values kept in a list the
 * caller supplies.
 */
export class RecordResponse implements ResponseAdapter {
  readonly wrapperUsed = true;
  constructor(
    readonly original: Record<string, unknown>,
    private readonly cookieList: { get(): string[]; set(list: string[]): void },
  ) {}

  private keysFor(name: string): string[] {
    const lower = name.toLowerCase();
    return Object.keys(this.original).filter((k) => k.toLowerCase() === lower);
  }

  getHeader(name: string): string | null {
    const values: string[] = [];
    for (const k of this.keysFor(name)) {
      const v = this.original[k];
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) values.push(...v.map(String));
      else values.push(String(v));
    }
    return values.length === 0 ? null : values.join(", ");
  }

  setHeader(name: string, value: string): void {
    const keys = this.keysFor(name);
    for (const k of keys.slice(1)) delete this.original[k];
    this.original[keys[0] ?? name] = value;
  }

  removeHeader(name: string): void {
    for (const k of this.keysFor(name)) delete this.original[k];
  }

  addSetCookie(cookieName: string, headerValue: string): void {
    const kept = this.cookieList.get().filter((c) => setCookieName(c) !== cookieName);
    kept.push(headerValue);
    this.cookieList.set(kept);
  }
}

const queues = new WeakMap<object, DeferredResponse>();

/** The response changes queued for `key`: the framework object (a Hapi request, a Lambda
 * event) that lives until the real response is written. */
export function deferredFor(key: object): DeferredResponse {
  let queue = queues.get(key);
  if (queue === undefined) {
    queue = new DeferredResponse();
    queues.set(key, queue);
  }
  return queue;
}

/** The changes queued for `key`, without making a queue when there is none. */
export function queuedFor(key: object): DeferredResponse | undefined {
  return queues.get(key);
}

/** A response adapter writing to the queue kept for `original` (see {@link deferredFor}). */
export class QueuedResponse<K extends object> implements ResponseAdapter {
  readonly wrapperUsed = true;
  constructor(readonly original: K) {}

  getHeader(name: string): string | null {
    return deferredFor(this.original).getHeader(name);
  }

  setHeader(name: string, value: string): void {
    deferredFor(this.original).setHeader(name, value);
  }

  removeHeader(name: string): void {
    deferredFor(this.original).removeHeader(name);
  }

  addSetCookie(cookieName: string, headerValue: string): void {
    deferredFor(this.original).addSetCookie(cookieName, headerValue);
  }
}
