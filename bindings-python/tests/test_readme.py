"""The README's Python snippet, run as written: what it shows a user must keep working."""

import re
from pathlib import Path
from typing import Any, Dict

from fastapi.testclient import TestClient

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_fastapi_snippet_serves_get_jwt() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "README.md has no python snippet"
    namespace: Dict[str, Any] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    client = TestClient(namespace["app"])
    assert client.get("/getJWT").status_code == 401
    from tessera.recipe.session.syncio import create_new_session_without_request_response

    token = create_new_session_without_request_response("public", "user-1").get_access_token()
    r = client.get("/getJWT", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert r.json() == {"token": token}
    jwks = client.get("/auth/jwt/jwks.json")
    assert jwks.status_code == 200 and jwks.json()["keys"]
