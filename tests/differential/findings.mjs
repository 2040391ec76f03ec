// What the differential tests (tests/differential, -python, -go) share besides the corpus: the
// test's own keys for the remote groups, and the bookkeeping of differences against an
// allowlist (which entries excused something, what DIFF_REPORT writes).
import { makeKey, publicPemOf, split } from "./tokens.mjs";

/** The keys the remote groups' tokens are signed with: a dynamic and a static key the stub core
 * publishes, and a foreign one it does not. */
export function makeRemoteKeys() {
  return {
    dynamic: makeKey(`d-${Date.now() - 60_000}`),
    static: makeKey("s-7d3f2a10-5c4b-4e6a-9f8e-1a2b3c4d5e6f"),
    foreign: makeKey(`d-${Date.now() - 120_000}`),
  };
}

const clip = (s, n = 160) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
const REPORTED_HEADERS = ["set-cookie", "front-token", "st-access-token", "st-refresh-token", "anti-csrf", "access-control-expose-headers", "content-type"];

/** The differences one test found, judged against its allowlist. An entry excuses a difference
 * when its `match` matches the key (`group/case`), its `fields` (if given) hold the field, its
 * `frameworks` (if given) the framework the apps ran on (a test over several frameworks passes it
 * to `record`), and its `when(reference, tessera)` (if given) holds of the two values. */
export class Findings {
  constructor(allowlist) {
    this.allowlist = allowlist;
    this.used = new Set();
    /** Every difference, excused or not, with the request and both answers (DIFF_REPORT). */
    this.found = [];
    /** One line per request and answer pair. */
    this.answered = [];
  }

  /** Notes that both apps answered `key`. */
  answer(key, ref, tes, extra = {}) {
    this.answered.push({ key, reference: `${ref.status} ${clip(ref.body, 60)}`, tessera: `${tes.status} ${clip(tes.body, 60)}`, ...extra });
  }

  /** Records difference `d` ({field, reference, tessera}) of `key`, and adds it to `failures`
   * unless an entry excuses it. */
  record(key, d, request, ref, tes, failures, framework = undefined) {
    const entry = this.allowlist.find(
      (e) =>
        e.match.test(key) &&
        (e.fields === undefined || e.fields.includes(d.field)) &&
        (e.frameworks === undefined || e.frameworks.includes(framework)) &&
        (e.when === undefined || e.when(d.reference, d.tessera)),
    );
    if (entry) this.used.add(entry);
    const r = { key: framework === undefined ? key : `${framework}: ${key}`, ...d, excusedBy: entry ? `${entry.kind}: ${entry.why}` : null };
    const shortRequest = { method: request.method, path: request.path, headers: request.headers.map(([k, v]) => [k, clip(v)]) };
    this.found.push({ ...r, request: shortRequest, referenceAnswer: rawAnswer(ref), tesseraAnswer: rawAnswer(tes) });
    if (!entry) failures.push(r);
  }

  /** Entries that excused nothing: their difference is gone, so they must go too. */
  stale() {
    return this.allowlist.filter((e) => !this.used.has(e)).map((e) => `${e.match} ${e.fields ?? ""}: ${e.why}`);
  }
}

function rawAnswer(a) {
  return {
    status: a.status,
    body: clip(a.body, 400),
    headers: Object.fromEntries(
      Object.entries(a.headers)
        .filter(([k]) => REPORTED_HEADERS.includes(k))
        .map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => clip(x)) : clip(v)]),
    ),
  };
}

/**
 * The tokens of an embedded group, as corpus.mjs takes them: `main` and `signout` ({token,
 * antiCsrf}) minted by Tessera under the group's configuration, `shared` the tokens minted once
 * for all groups ({expired, static, dynamic}), `jwks` Tessera's JWKS then.
 */
export function embeddedTokenSet(group, main, signout, shared, jwks) {
  const csrf = new Map([main, ...signout].map((m) => [m.token, m.antiCsrf]));
  const other = group.session.useDynamicAccessTokenSigningKey === false ? shared.dynamic : shared.static;
  return {
    jwks,
    t: {
      valid: main.token,
      antiCsrf: main.antiCsrf,
      antiCsrfFor: (token) => (csrf.get(token) ? [["anti-csrf", csrf.get(token)]] : []),
      expired: shared.expired,
      otherKind: other,
      otherKid: split(other).header.kid,
      publicPem: publicPemOf(jwks, split(main.token).header.kid),
      signout: signout.map((m) => m.token),
    },
  };
}
