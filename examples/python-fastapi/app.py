"""The Tessera demo backend on FastAPI: sessions for the SuperTokens frontend SDK.

Run: ``python app.py`` (listens on $PORT, default 3001). Settings come from the environment
so that the browser tests and ``make demo`` can run the same file; see ../README.md.
"""

import os
from typing import Annotated

import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel
from tessera import InputAppInfo, convert_to_recipe_user_id, get_all_cors_headers, init
from tessera.framework.fastapi import get_middleware
from tessera.recipe import session
from tessera.recipe.session import SessionContainer
from tessera.recipe.session.asyncio import create_new_session
from tessera.recipe.session.framework.fastapi import verify_session

port = int(os.environ.get("PORT", "3001"))
website_domain = os.environ.get("WEBSITE_DOMAIN", "http://localhost:3000")
expose_access_token = os.environ.get("EXPOSE_ACCESS_TOKEN", "true") == "true"
access_token_validity = os.environ.get("ACCESS_TOKEN_VALIDITY")

init(
    app_info=InputAppInfo(
        app_name="tessera-demo",
        api_domain=os.environ.get("API_DOMAIN", f"http://localhost:{port}"),
        website_domain=website_domain,
    ),
    framework="fastapi",
    # No supertokens_config: sessions live in the embedded SQLite file
    # (.tessera/sessions.sqlite3, or $TESSERA_SQLITE_PATH).
    recipe_list=[
        session.init(
            # "any" lets the frontend choose cookies or headers (its tokenTransferMethod).
            get_token_transfer_method=os.environ.get("TOKEN_TRANSFER_METHOD", "any"),
            # Lets Session.getAccessToken() return the JWT in cookie mode too.
            expose_access_token_to_frontend_in_cookie_based_auth=expose_access_token,
            access_token_validity=int(access_token_validity) if access_token_validity else None,
        )
    ],
)

app = FastAPI()
# Serves POST /auth/session/refresh and POST /auth/signout for the frontend SDK.
app.add_middleware(get_middleware())
# Added last so it wraps everything, the middleware's endpoints included: the page is on
# another origin and reads the session headers the core lists.
app.add_middleware(
    CORSMiddleware,
    allow_origins=[website_domain],
    allow_credentials=True,
    allow_methods=["GET", "POST", "OPTIONS"],
    allow_headers=["Content-Type", *get_all_cors_headers()],
)


class SignIn(BaseModel):
    userId: str


@app.post("/signin")
async def sign_in(body: SignIn, request: Request) -> dict:
    # Demo only: no password. A real app checks credentials before creating the session.
    user_id = body.userId.strip()
    if not user_id:
        raise HTTPException(status_code=400, detail="userId is required")
    await create_new_session(request, "public", convert_to_recipe_user_id(user_id))
    return {"status": "OK"}


@app.get("/getJWT")
async def get_jwt(s: Annotated[SessionContainer, Depends(verify_session())]) -> dict:
    return {"token": s.get_access_token()}


# check_database: a revoked session is refused at once, not only when its access token expires.
@app.get("/sessioninfo")
async def session_info(s: Annotated[SessionContainer, Depends(verify_session(check_database=True))]) -> dict:
    return {
        "userId": s.get_user_id(),
        "sessionHandle": s.get_handle(),
        "accessTokenPayload": s.get_access_token_payload(),
    }


if __name__ == "__main__":
    uvicorn.run(app, host=os.environ.get("HOST", "localhost"), port=port)
