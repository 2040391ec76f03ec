"""The recipe functions (``asyncio`` and ``syncio``) and ``SessionContainer``'s methods."""

import asyncio
import threading
import time
from typing import Any, List, Tuple

import pytest
from conftest import init_tessera
from tessera import _state
from tessera.exceptions import UnauthorisedError
from tessera.recipe.session import SessionContainer, SessionInformationResult
from tessera.recipe.session import asyncio as st_async
from tessera.recipe.session import syncio as st_sync
from tessera.recipe.session.interfaces import GetSessionTokensDangerouslyDict
from tessera.types import RecipeUserId


@pytest.fixture(autouse=True)
def _engine() -> None:
    init_tessera(refresh_token_rotation_grace_period=0)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_create_and_get_without_request_response_sync() -> None:
    s = st_sync.create_new_session_without_request_response(
        "public", RecipeUserId("user-1"), {"role": "admin"}, {"secret": 1}
    )
    assert isinstance(s, SessionContainer)
    assert s.get_user_id() == "user-1"
    assert s.get_recipe_user_id() == RecipeUserId("user-1")
    assert s.get_tenant_id() == "public"
    assert s.get_access_token_payload()["role"] == "admin"
    assert s.get_access_token_payload() is s.get_access_token_payload()
    tokens = s.get_all_session_tokens_dangerously()
    assert set(tokens) == {"accessToken", "accessAndFrontTokenUpdated", "refreshToken", "frontToken", "antiCsrfToken"}
    # supertokens-python's TypedDict of the same answer, importable from the same place.
    assert set(tokens) == set(GetSessionTokensDangerouslyDict.__annotations__)
    assert tokens["accessToken"] == s.get_access_token()
    assert tokens["refreshToken"]
    assert tokens["accessAndFrontTokenUpdated"] is True

    verified = st_sync.get_session_without_request_response(s.get_access_token(), anti_csrf_check=False)
    assert verified is not None
    assert verified.get_handle() == s.get_handle()
    assert verified.get_all_session_tokens_dangerously()["refreshToken"] is None
    assert st_sync.get_session_without_request_response("garbage", session_required=False) is None
    with pytest.raises(UnauthorisedError):
        st_sync.get_session_without_request_response("garbage")


def test_plain_string_recipe_user_id_and_payload_checks() -> None:
    s = st_sync.create_new_session_without_request_response("public", "user-2")
    assert s.get_recipe_user_id().get_as_string() == "user-2"
    with pytest.raises(TypeError):
        st_sync.create_new_session_without_request_response("public", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        st_sync.create_new_session_without_request_response("public", "u", ["not", "a", "dict"])  # type: ignore[arg-type]


def test_session_information_and_database_data() -> None:
    s = st_sync.create_new_session_without_request_response("public", "user-1", {"a": 1}, {"db": "x"})
    info = st_sync.get_session_information(s.get_handle())
    assert isinstance(info, SessionInformationResult)
    assert info.session_handle == s.get_handle()
    assert info.user_id == "user-1"
    assert info.recipe_user_id == RecipeUserId("user-1")
    assert info.session_data_in_database == {"db": "x"}
    assert info.custom_claims_in_access_token_payload.get("a") == 1
    assert info.tenant_id == "public"
    assert info.expiry > info.time_created > 0
    assert info.to_json()["sessionHandle"] == s.get_handle()

    assert s.sync_get_session_data_from_database() == {"db": "x"}
    s.sync_update_session_data_in_database({"db": "y"})
    assert s.sync_get_session_data_from_database() == {"db": "y"}
    assert st_sync.update_session_data_in_database(s.get_handle(), {"db": "z"}) is True
    assert s.sync_get_session_data_from_database() == {"db": "z"}
    assert s.sync_get_expiry() == info.expiry
    assert s.sync_get_time_created() == info.time_created
    assert st_sync.get_session_information("no-such-handle") is None
    assert st_sync.update_session_data_in_database("no-such-handle", {}) is False


def test_async_container_methods() -> None:
    async def main() -> None:
        s = await st_async.create_new_session_without_request_response("public", "user-1", {}, {"n": 1})
        assert await s.get_session_data_from_database() == {"n": 1}
        await s.update_session_data_in_database({"n": 2})
        assert await s.get_session_data_from_database() == {"n": 2}
        info = await st_async.get_session_information(s.get_handle())
        assert info is not None
        assert await s.get_expiry() == info.expiry
        assert await s.get_time_created() == info.time_created
        old = s.get_access_token()
        await s.merge_into_access_token_payload({"role": "admin"})
        assert s.get_access_token() != old
        assert s.get_access_token_payload()["role"] == "admin"
        assert s.response_mutations, "merge must leave the new token for the middleware"
        await s.merge_into_access_token_payload({"role": None})
        assert "role" not in s.get_access_token_payload()
        await s.revoke_session()
        assert await st_async.get_session_information(s.get_handle()) is None
        with pytest.raises(UnauthorisedError):
            await s.get_expiry()
        with pytest.raises(UnauthorisedError):
            await s.get_session_data_from_database()
        with pytest.raises(UnauthorisedError):
            await s.update_session_data_in_database({})

    run(main())


def test_merge_keeps_protected_claims() -> None:
    s = st_sync.create_new_session_without_request_response("public", "user-1")
    s.sync_merge_into_access_token_payload({"sub": "someone-else", "plan": "pro"})
    assert s.get_user_id() == "user-1"
    assert s.get_access_token_payload()["sub"] == "user-1"
    assert s.get_access_token_payload()["plan"] == "pro"


def test_handles_revoke_and_tenants() -> None:
    a = st_sync.create_new_session_without_request_response("public", "user-1").get_handle()
    b = st_sync.create_new_session_without_request_response("tenant-b", "user-1").get_handle()
    c = st_sync.create_new_session_without_request_response("public", "user-2").get_handle()
    assert set(st_sync.get_all_session_handles_for_user("user-1")) == {a, b}
    assert st_sync.get_all_session_handles_for_user("user-1", tenant_id="tenant-b") == [b]
    assert set(st_sync.get_all_session_handles_for_user("user-1", True, "public", fetch_across_all_tenants=True)) == {
        a,
        b,
    }
    assert st_sync.revoke_all_sessions_for_user("user-1", tenant_id="tenant-b") == [b]
    assert st_sync.get_all_session_handles_for_user("user-1") == [a]
    assert st_sync.revoke_session(a) is True
    assert st_sync.revoke_session(a) is False
    assert st_sync.revoke_multiple_sessions([c, "missing"]) == [c]
    assert st_sync.get_all_session_handles_for_user("user-2") == []

    async def main() -> None:
        d = (await st_async.create_new_session_without_request_response("public", "user-3")).get_handle()
        assert await st_async.get_all_session_handles_for_user("user-3") == [d]
        assert await st_async.revoke_all_sessions_for_user("user-3") == [d]
        e = (await st_async.create_new_session_without_request_response("public", "user-3")).get_handle()
        assert await st_async.revoke_multiple_sessions([e]) == [e]
        assert await st_async.revoke_session(e) is False

    run(main())


def test_merge_by_handle_applies_to_the_next_token() -> None:
    s = st_sync.create_new_session_without_request_response("public", "user-1")
    assert st_sync.merge_into_access_token_payload(s.get_handle(), {"plan": "pro"}) is True
    info = st_sync.get_session_information(s.get_handle())
    assert info is not None and info.custom_claims_in_access_token_payload["plan"] == "pro"
    refresh_token = s.get_all_session_tokens_dangerously()["refreshToken"]
    refreshed = st_sync.refresh_session_without_request_response(refresh_token)
    assert refreshed.get_access_token_payload()["plan"] == "pro"
    assert st_sync.merge_into_access_token_payload("missing", {"x": 1}) is False

    async def main() -> None:
        assert await st_async.merge_into_access_token_payload(s.get_handle(), {"plan": "free"}) is True
        assert await st_async.update_session_data_in_database(s.get_handle(), {"k": 1}) is True

    run(main())


def test_refresh_without_request_response_and_theft() -> None:
    from tessera.exceptions import TokenTheftError

    s = st_sync.create_new_session_without_request_response("public", "user-1")
    first = s.get_all_session_tokens_dangerously()["refreshToken"]
    refreshed = st_sync.refresh_session_without_request_response(first)
    assert refreshed.get_handle() == s.get_handle()
    assert refreshed.get_all_session_tokens_dangerously()["refreshToken"] != first
    # The core's grace window is inclusive (reuse within the same millisecond passes even with
    # a 0 s grace period): step past it.
    time.sleep(0.005)
    with pytest.raises(TokenTheftError) as info:
        st_sync.refresh_session_without_request_response(first)
    assert info.value.session_handle == s.get_handle()
    assert info.value.user_id == "user-1"

    async def main() -> None:
        s2 = await st_async.create_new_session_without_request_response("public", "user-2")
        rt = s2.get_all_session_tokens_dangerously()["refreshToken"]
        r2 = await st_async.refresh_session_without_request_response(rt)
        assert r2.get_user_id() == "user-2"
        v = await st_async.get_session_without_request_response(r2.get_access_token(), anti_csrf_check=False)
        assert v is not None and v.get_handle() == s2.get_handle()

    run(main())


def test_claim_validators_refetch_merge_and_fail_as_the_sdks_do() -> None:
    from tessera.recipe.session.claims import BooleanClaim, PrimitiveArrayClaim
    from tessera.recipe.session.exceptions import InvalidClaimsError

    fetched: List[Tuple[str, str]] = []

    def fetch_verified(user_id: str, recipe_user_id: Any, tenant_id: str, payload: Any, ctx: Any) -> bool:
        fetched.append((user_id, tenant_id))
        return user_id == "user-1"

    async def fetch_roles(user_id: str, *_: Any) -> List[str]:
        return ["admin"] if user_id == "user-1" else ["guest"]

    verified = BooleanClaim("verified", fetch_verified)
    roles = PrimitiveArrayClaim("roles", fetch_roles)
    token = st_sync.create_new_session_without_request_response("public", "user-1").get_access_token()
    s = st_sync.get_session_without_request_response(
        token,
        anti_csrf_check=False,
        override_global_claim_validators=lambda validators, session, ctx: (
            validators + [verified.validators.is_true(), roles.validators.includes("admin")]
        ),
    )
    assert s is not None and fetched == [("user-1", "public")]
    # What was fetched is in a new access token.
    assert s.get_access_token() != token
    assert s.get_access_token_payload()["verified"]["v"] is True
    assert s.sync_get_claim_value(roles) == ["admin"]
    # Present and fresh: not fetched again.
    again = st_sync.get_session_without_request_response(
        s.get_access_token(),
        anti_csrf_check=False,
        override_global_claim_validators=lambda v, _s, c: [verified.validators.is_true()],
    )
    assert again is not None and len(fetched) == 1

    other = st_sync.create_new_session_without_request_response("public", "user-2").get_access_token()

    async def validators(v: List[Any], session: Any, ctx: Any) -> List[Any]:
        return [verified.validators.is_true(), roles.validators.includes("admin", id_="must-be-admin")]

    async def main() -> None:
        with pytest.raises(InvalidClaimsError) as raised:
            await st_async.get_session_without_request_response(
                other, anti_csrf_check=False, override_global_claim_validators=validators
            )
        assert [(e.id_, e.reason) for e in raised.value.payload] == [
            ("verified", {"message": "wrong value", "expectedValue": True, "actualValue": False}),
            ("must-be-admin", {"message": "wrong value", "expectedToInclude": "admin", "actualValue": ["guest"]}),
        ]

    run(main())


def test_session_claim_methods_change_the_access_token() -> None:
    from tessera.recipe.session.claims import PrimitiveClaim

    plan = PrimitiveClaim("plan", lambda *_: "pro", default_max_age_in_sec=300)
    s = st_sync.create_new_session_without_request_response("public", "user-1")

    async def main() -> None:
        await s.fetch_and_set_claim(plan)
        assert await s.get_claim_value(plan) == "pro"
        assert s.get_access_token_payload()["plan"]["t"] > 0
        await s.set_claim_value(plan, "free")
        assert await s.get_claim_value(plan) == "free"
        await s.remove_claim(plan)
        assert await s.get_claim_value(plan) is None
        assert "plan" not in s.get_access_token_payload()

    run(main())
    s.sync_set_claim_value(plan, "team")
    assert s.sync_get_claim_value(plan) == "team"
    assert plan.validators.has_value("team").should_refetch(s.get_access_token_payload(), {}) is False
    s.sync_remove_claim(plan)
    assert s.sync_get_claim_value(plan) is None


#: Where ``allow_io`` is among the native ``verify_session``'s positional arguments.
VERIFY_ALLOW_IO = 6


class RecordingEngine:
    """Wraps the native engine and records, per call, the thread it ran on and its arguments."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self.calls: List[Tuple[str, int, Tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._engine, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, threading.get_ident(), args))
            return target(*args, **kwargs)

        return call


def test_async_store_calls_run_off_the_event_loop() -> None:
    recording = RecordingEngine(_state.engine())
    _state.current().engine = recording  # type: ignore[assignment]

    async def main() -> int:
        loop_thread = threading.get_ident()
        s = await st_async.create_new_session_without_request_response("public", "user-1")
        await s.get_session_data_from_database()
        await s.update_session_data_in_database({"a": 1})
        await s.merge_into_access_token_payload({"b": 2})
        await s.get_expiry()
        await st_async.get_session_information(s.get_handle())
        await st_async.get_all_session_handles_for_user("user-1")
        await s.revoke_session()
        await st_async.revoke_session(s.get_handle())
        return loop_thread

    loop_thread = run(main())
    assert len(recording.calls) >= 9
    for name, thread, _ in recording.calls:
        assert thread != loop_thread, f"{name} ran on the event loop"


def test_fastapi_verification_runs_inline_without_io() -> None:
    from conftest import Client
    from fastapi import Depends, FastAPI
    from tessera.framework.fastapi import get_middleware
    from tessera.recipe.session.framework.fastapi import verify_session

    token = st_sync.create_new_session_without_request_response("public", "user-1").get_access_token()
    recording = RecordingEngine(_state.engine())
    _state.current().engine = recording  # type: ignore[assignment]
    app = FastAPI()
    app.add_middleware(get_middleware())
    threads = {}

    @app.get("/getJWT")
    async def get_jwt(session: SessionContainer = Depends(verify_session())) -> Any:
        threads["loop"] = threading.get_ident()
        return {"token": session.get_access_token()}

    @app.get("/checked")
    async def checked(session: SessionContainer = Depends(verify_session(check_database=True))) -> Any:
        # TestClient runs each request on a new loop thread; idents are only unique among live threads.
        threads["loop"] = threading.get_ident()
        return {"token": session.get_access_token()}

    client = Client(app)
    assert client.get("/getJWT", headers={"Authorization": f"Bearer {token}"}).json() == {"token": token}
    verifies = [c for c in recording.calls if c[0] == "verify_session"]
    assert verifies and verifies[-1][1] == threads["loop"] and verifies[-1][2][VERIFY_ALLOW_IO] is False
    recording.calls.clear()
    assert client.get("/checked", headers={"Authorization": f"Bearer {token}"}).json() == {"token": token}
    verifies = [c for c in recording.calls if c[0] == "verify_session"]
    assert verifies[-1][2][VERIFY_ALLOW_IO] is True and verifies[-1][1] != threads["loop"]


def test_async_get_session_without_request_response_runs_inline_without_io() -> None:
    token = st_sync.create_new_session_without_request_response("public", "user-1").get_access_token()
    recording = RecordingEngine(_state.engine())
    _state.current().engine = recording  # type: ignore[assignment]

    async def main(check_database: bool) -> int:
        s = await st_async.get_session_without_request_response(
            token, anti_csrf_check=False, check_database=check_database
        )
        assert s is not None and s.get_user_id() == "user-1"
        return threading.get_ident()

    loop_thread = run(main(False))
    assert [(t == loop_thread, args[-1]) for n, t, args in recording.calls] == [(True, False)]
    recording.calls.clear()
    loop_thread = run(main(True))
    assert [(t == loop_thread, args[-1]) for n, t, args in recording.calls] == [(False, True)]


def test_would_block_reruns_off_the_loop() -> None:
    from tessera.exceptions import WouldBlockError
    from tessera.recipe.session import _common

    real = _state.engine()
    token = st_sync.create_new_session_without_request_response("public", "user-1").get_access_token()
    calls: List[Tuple[bool, int]] = []

    class BlockingEngine:
        def verify_session(self, *args: Any, **kwargs: Any) -> Any:
            allow_io = args[VERIFY_ALLOW_IO]
            calls.append((allow_io, threading.get_ident()))
            if not allow_io:
                raise WouldBlockError("needs the store")
            return real.verify_session(*args, **kwargs)

    from starlette.requests import Request
    from tessera.framework.fastapi.request import FastApiRequest

    _state.current().engine = BlockingEngine()  # type: ignore[assignment]
    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [(b"authorization", f"Bearer {token}".encode())]}
    options = _common.VerifySessionOptions(None, True, False, None, None)

    async def main() -> Tuple[Any, int]:
        result = await _common.verify_session(FastApiRequest(Request(scope)), options)
        return result, threading.get_ident()

    session, loop_thread = run(main())
    assert session is not None and session.get_access_token() == token
    assert calls[0] == (False, loop_thread)
    assert calls[1][0] is True and calls[1][1] != loop_thread
