// The demo page's script: the official SuperTokens frontend SDK, unchanged, against whichever
// Tessera backend `?api=` names. Bundled by esbuild (`npm run build`) into dist/app.js.
import SuperTokens from "supertokens-web-js";
import Session from "supertokens-web-js/recipe/session";

const backends = await (await fetch("backends.json")).json();
const params = new URLSearchParams(location.search);
const apiDomain = params.get("api") ?? backends[0].url;
const mode = params.get("mode") === "header" ? "header" : "cookie";

SuperTokens.init({
  appInfo: { appName: "tessera-demo", apiDomain, apiBasePath: "/auth" },
  // The SDK patches fetch for requests to apiDomain: it adds the session headers, stores the
  // tokens it is sent, and on a 401 calls /auth/session/refresh and retries.
  recipeList: [Session.init({ tokenTransferMethod: mode })],
});

const $ = (id) => document.getElementById(id);

function renderChoices() {
  const link = (api, m, label) => {
    const a = document.createElement("a");
    a.href = `?${new URLSearchParams({ api, mode: m })}`;
    a.textContent = label;
    if (api === apiDomain && m === mode) a.setAttribute("aria-current", "page");
    return a;
  };
  for (const b of backends) $("backends").append(link(b.url, mode, `${b.name} (${new URL(b.url).port})`));
  $("modes").append(link(apiDomain, "cookie", "cookies"), link(apiDomain, "header", "headers"));
}

async function render() {
  const exists = await Session.doesSessionExist();
  $("exists").textContent = exists ? "yes" : "no";
  $("userId").textContent = exists ? await Session.getUserId() : "–";
  // undefined in cookie mode unless the backend sets exposeAccessTokenToFrontendInCookieBasedAuth.
  $("accessToken").textContent = exists ? String(await Session.getAccessToken()) : "–";
  $("payload").textContent = exists ? JSON.stringify(await Session.getAccessTokenPayloadSecurely(), null, 2) : "–";
  $("signedIn").hidden = !exists;
  $("signedOut").hidden = exists;
  const jwt = $("jwt").textContent;
  const accessToken = $("accessToken").textContent;
  $("same").className = exists && jwt === accessToken ? "ok" : "";
  $("same").textContent = !exists || !jwt.startsWith("ey")
    ? ""
    : jwt === accessToken
      ? "✓ the token Session.getAccessToken() returns"
      : accessToken === "undefined"
        ? "The backend keeps it in an HttpOnly cookie (exposeAccessTokenToFrontendInCookieBasedAuth is off)"
        : "differs from Session.getAccessToken()";
}

async function getJWT() {
  const res = await fetch(`${apiDomain}/getJWT`);
  $("jwt").textContent = res.ok ? (await res.json()).token : `${res.status} ${(await res.json()).message}`;
}

// One action at a time; `data-done` counts finished actions so tests can wait for them.
async function act(fn) {
  document.body.setAttribute("aria-busy", "true");
  $("error").textContent = "";
  try {
    await fn();
  } catch (e) {
    $("error").textContent = String(e?.message ?? e);
  }
  await render().catch((e) => ($("error").textContent = String(e?.message ?? e)));
  document.body.removeAttribute("aria-busy");
  document.body.dataset.done = String(Number(document.body.dataset.done ?? 0) + 1);
}

$("signIn").addEventListener("submit", (event) => {
  event.preventDefault();
  act(async () => {
    const res = await fetch(`${apiDomain}/signin`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: $("user").value }),
    });
    if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
    await getJWT();
  });
});
$("callGetJWT").addEventListener("click", () => act(getJWT));
$("signOut").addEventListener("click", () =>
  act(async () => {
    await Session.signOut();
    await getJWT();
  }),
);

$("api").textContent = apiDomain;
renderChoices();
act(async () => {
  if (await Session.doesSessionExist()) await getJWT();
});
