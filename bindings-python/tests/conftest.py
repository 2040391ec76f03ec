"""Shared fixtures: a configured engine per test and a FastAPI app with the seed routes."""

from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from tessera import InputAppInfo, SupertokensConfig, _state, init
from tessera.recipe import session

API_DOMAIN = "http://testserver"


def init_tessera(connection_uri: str = "sqlite::memory:", framework: str = "fastapi", **session_options: Any) -> None:
    """``tessera.init`` for tests: the TestClient's host, an in-memory store by default."""
    init(
        app_info=InputAppInfo(app_name="tests", api_domain=API_DOMAIN, website_domain=API_DOMAIN),
        framework=framework,
        supertokens_config=SupertokensConfig(connection_uri=connection_uri),
        recipe_list=[session.init(**session_options)],
    )


def pytest_configure(config: Any) -> None:
    # Starlette's TestClient asks for httpx2; httpx is what FastAPI documents and what we use.
    config.addinivalue_line("filterwarnings", "ignore:.*httpx2.*")


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    yield
    _state.reset()


class SetCookie:
    """One parsed ``Set-Cookie`` header."""

    def __init__(self, header: str) -> None:
        self.header = header
        first, *attrs = [part.strip() for part in header.split(";")]
        self.name, _, self.value = first.partition("=")
        self.attrs: Dict[str, str] = {}
        for attr in attrs:
            k, _, v = attr.partition("=")
            self.attrs[k.lower()] = v

    @property
    def cleared(self) -> bool:
        return self.value == "" and self.attrs.get("expires") == "Thu, 01 Jan 1970 00:00:00 GMT"


def set_cookies(response: Any) -> Dict[str, SetCookie]:
    """The response's ``Set-Cookie`` headers by cookie name (failing on duplicates)."""
    out: Dict[str, SetCookie] = {}
    for header in response.headers.get_list("set-cookie"):
        c = SetCookie(header)
        assert c.name not in out, f"duplicate Set-Cookie for {c.name}"
        out[c.name] = c
    return out


class Client:
    """A TestClient without a cookie jar between requests: every test says which cookies and
    headers it sends."""

    def __init__(self, app: Any) -> None:
        from fastapi.testclient import TestClient

        self._client = TestClient(app, raise_server_exceptions=True, follow_redirects=False)

    def request(
        self,
        method: str,
        path: str,
        headers: Optional[Dict[str, str]] = None,
        cookies: Optional[Dict[str, str]] = None,
        raw_headers: Optional[List[Tuple[str, Any]]] = None,
    ) -> Any:
        self._client.cookies.clear()
        h: List[Tuple[str, Any]] = list((headers or {}).items()) + list(raw_headers or [])
        if cookies:
            h.append(("cookie", "; ".join(f"{k}={v}" for k, v in cookies.items())))
        response = self._client.request(method, path, headers=h)
        self._client.cookies.clear()
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)


def recording_error_handlers(calls: List[Tuple[Any, ...]]) -> Any:
    """``InputErrorHandlers`` as an app writes them against supertokens-python's
    ``BaseRequest``/``BaseResponse``: async and sync, returning the response or nothing.
    Each records its arguments in ``calls``."""
    from tessera.recipe.session import InputErrorHandlers

    async def on_unauthorised(request: Any, message: str, response: Any) -> Any:
        calls.append(("unauthorised", message, request.get_path()))
        response.set_status_code(401)
        response.set_json_content({"custom": "unauthorised"})
        return response

    def on_try_refresh_token(request: Any, message: str, response: Any) -> Any:
        calls.append(("try refresh token", request.get_header("x-probe")))
        response.set_status_code(440)
        response.set_json_content({"custom": "try refresh token"})
        return response

    async def on_token_theft_detected(
        request: Any, session_handle: str, user_id: str, recipe_user_id: Any, response: Any
    ) -> None:
        calls.append(("theft", session_handle, user_id, recipe_user_id.get_as_string()))
        response.set_status_code(409)
        response.set_html_content("<p>theft</p>")

    def on_invalid_claim(request: Any, errors: List[Any], response: Any) -> Any:
        calls.append(("invalid claim", [(e.id_, e.reason) for e in errors]))
        return response.redirect("https://example.com/claims")

    return InputErrorHandlers(
        on_unauthorised=on_unauthorised,
        on_try_refresh_token=on_try_refresh_token,
        on_token_theft_detected=on_token_theft_detected,
        on_invalid_claim=on_invalid_claim,
    )


def recording_api_override(
    calls: List[Tuple[Any, ...]], signout: str = "wrap", refresh: str = "wrap", verify: bool = False
) -> Any:
    """``InputOverrideConfig(apis=...)`` written as the SuperTokens docs write it: each
    replaced function records its call in ``calls``, then does what ``signout`` / ``refresh``
    say: ``"wrap"`` calls the original, ``"general_error"`` answers a GENERAL_ERROR,
    ``"unauthorised"`` raises, ``"disabled"`` leaves the endpoint to the app. With
    ``verify``, the routes' ``verify_session`` is wrapped too."""
    from tessera.recipe.session import InputOverrideConfig
    from tessera.recipe.session.exceptions import UnauthorisedError
    from tessera.recipe.session.interfaces import APIInterface, APIOptions, SessionContainer
    from tessera.types import GeneralErrorResponse

    def override_session_apis(original_implementation: APIInterface) -> APIInterface:
        original_signout_post = original_implementation.signout_post
        original_refresh_post = original_implementation.refresh_post
        original_verify_session = original_implementation.verify_session

        async def signout_post(session: SessionContainer, api_options: APIOptions, user_context: Dict[str, Any]) -> Any:
            calls.append(("signout", session.get_user_id(), api_options.request.get_path()))
            if signout == "general_error":
                return GeneralErrorResponse("could not sign out")
            if signout == "unauthorised":
                raise UnauthorisedError("no signing out")
            return await original_signout_post(session, api_options, user_context)

        async def refresh_post(api_options: APIOptions, user_context: Dict[str, Any]) -> SessionContainer:
            calls.append(("refresh", api_options.recipe_id))
            session = await original_refresh_post(api_options, user_context)
            calls.append(("refreshed", session.get_user_id()))
            return session

        async def verify_session(api_options: APIOptions, *args: Any) -> Any:
            session = await original_verify_session(api_options, *args)
            calls.append(("verify", None if session is None else session.get_user_id()))
            return session

        original_implementation.signout_post = signout_post  # type: ignore[method-assign]
        original_implementation.refresh_post = refresh_post  # type: ignore[method-assign]
        original_implementation.disable_signout_post = signout == "disabled"
        original_implementation.disable_refresh_post = refresh == "disabled"
        if verify:
            original_implementation.verify_session = verify_session  # type: ignore[method-assign]
        return original_implementation

    return InputOverrideConfig(apis=override_session_apis)


def tampered(token: str) -> str:
    """``token`` with its signature changed: well formed, so the answer is try refresh token."""
    return token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
