// Not under test/: node --test runs every script in a test directory.
// Cookie helpers shared by the framework suites: each framework hands back its Set-Cookie
// list differently (fetch, inject, Lambda results), but reads and sends them the same way.

/** `Set-Cookie` header values by cookie name: `{value, header}`. */
export function parseSetCookies(list) {
  const out = {};
  for (const c of list) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    out[pair.slice(0, i).trim()] = { value: pair.slice(i + 1), header: c };
  }
  return out;
}

/** A request `Cookie` header from `{name: value}`. */
export function cookieHeader(cookies) {
  return Object.entries(cookies)
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
}
