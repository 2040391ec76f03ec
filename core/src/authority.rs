//! The embedded session authority: what a SuperTokens core does for sessions (create,
//! refresh with rotation and theft detection, regenerate, revoke, session data), on a
//! [`Store`]. Rotation follows CDI 5.6: rotate at refresh time, accept the previous refresh
//! token again within a grace window, and treat any other reuse as theft and revoke.

use std::sync::{Arc, OnceLock};

use aws_lc_rs::{constant_time, digest, hmac};
use serde_json::{json, Map, Value};

use crate::b64;
use crate::embedded_keys::EmbeddedKeys;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{SessionRow, SessionUpdate, Store};
use crate::token::{self, VerifiedToken, DEFAULT_TENANT_ID, PROTECTED_PROPS};

/// The access-token version minted here.
pub const ACCESS_TOKEN_VERSION: u32 = 5;
const REFRESH_TOKEN_PREFIX: &str = "T1";
const REFRESH_MAC_SECRET: &str = "refresh-token-mac-key";

/// Lifetimes and rotation settings of the authority.
#[derive(Debug, Clone)]
pub struct AuthorityConfig {
    /// Access-token validity, ms.
    pub access_token_validity_ms: u64,
    /// Refresh-token (session) validity, ms.
    pub refresh_token_validity_ms: u64,
    /// How long the previous refresh token is accepted again after a rotation, ms.
    pub refresh_token_grace_ms: u64,
    /// `iss` written into new access tokens.
    pub issuer: String,
}

/// The identity of a session.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionIdentity {
    /// The session handle.
    pub handle: String,
    /// The primary user id.
    pub user_id: String,
    /// The recipe user id.
    pub recipe_user_id: String,
    /// The tenant.
    pub tenant_id: String,
}

/// Tokens minted by create, refresh, regenerate or a database check.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedTokens {
    /// The session the tokens belong to.
    pub session: SessionIdentity,
    /// The new access token.
    pub access_token: String,
    /// Its full payload (what the front token's `up` carries).
    pub access_token_payload: Map<String, Value>,
    /// Access-token expiry, ms (a multiple of 1000).
    pub access_token_expiry_ms: u64,
    /// Access-token issue time, ms (a multiple of 1000).
    pub access_token_created_ms: u64,
    /// The new refresh token (create and refresh only).
    pub refresh_token: Option<String>,
    /// Refresh-token (session) expiry, ms.
    pub refresh_token_expiry_ms: u64,
    /// The new anti-CSRF token, when anti-CSRF via token is on.
    pub anti_csrf_token: Option<String>,
}

/// What `getSessionInformation` answers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInformation {
    /// The session.
    pub session: SessionIdentity,
    /// `sessionDataInDatabase`.
    pub session_data_in_database: Map<String, Value>,
    /// The custom part of the access-token payload as stored.
    pub custom_claims_in_access_token_payload: Map<String, Value>,
    /// Session (refresh-token) expiry, ms.
    pub expiry_ms: u64,
    /// Session creation time, ms.
    pub time_created_ms: u64,
}

/// The session authority.
pub struct Authority {
    store: Arc<dyn Store>,
    keys: Arc<EmbeddedKeys>,
    config: AuthorityConfig,
    mac: OnceLock<hmac::Key>,
}

impl Authority {
    /// An authority over `store` signing with `keys`.
    pub fn new(store: Arc<dyn Store>, keys: Arc<EmbeddedKeys>, config: AuthorityConfig) -> Authority {
        Authority { store, keys, config, mac: OnceLock::new() }
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The key ring.
    pub fn keys(&self) -> &Arc<EmbeddedKeys> {
        &self.keys
    }

    fn mac_key(&self) -> Result<&hmac::Key> {
        if let Some(k) = self.mac.get() {
            return Ok(k);
        }
        let mut candidate = [0u8; 32];
        fill_random(&mut candidate)?;
        let secret = self.store.get_or_add_secret(REFRESH_MAC_SECRET, &candidate)?;
        Ok(self.mac.get_or_init(|| hmac::Key::new(hmac::HMAC_SHA256, &secret)))
    }

    /// Creates a session. `payload` is the custom access-token payload and may not contain
    /// protected props; `iss` is set to the issuer.
    ///
    /// # Errors
    /// `INVALID_INPUT` for protected props or a bad tenant id; `STORAGE`; `INTERNAL`.
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        &self,
        tenant_id: &str,
        recipe_user_id: &str,
        payload: Map<String, Value>,
        session_data: Map<String, Value>,
        enable_anti_csrf: bool,
        use_dynamic_key: bool,
        now_ms: u64,
    ) -> Result<IssuedTokens> {
        validate_tenant(tenant_id)?;
        // An empty user id is accepted, as the SuperTokens core accepts it (the SDKs' own
        // tests create sessions for `convertToRecipeUserId("")`).
        reject_protected_props(&payload)?;
        let mut custom = payload;
        custom.insert("iss".into(), Value::String(self.config.issuer.clone()));
        let uuid = uuid::Uuid::new_v4().to_string();
        let handle = if tenant_id == DEFAULT_TENANT_ID { uuid } else { format!("{uuid}_{tenant_id}") };
        // The anti-CSRF token travels inside the refresh token, MAC-protected, so refresh can
        // check it without a column of its own.
        let anti_csrf = enable_anti_csrf.then(|| uuid::Uuid::new_v4().to_string());
        let refresh_token = self.new_refresh_token(&handle, anti_csrf.as_deref())?;
        let row = SessionRow {
            handle: handle.clone(),
            user_id: recipe_user_id.to_owned(),
            recipe_user_id: recipe_user_id.to_owned(),
            tenant_id: tenant_id.to_owned(),
            session_data,
            access_token_payload: custom,
            refresh_token_hash2: hash2(&refresh_token),
            prev_refresh_token_hash2: None,
            rotated_at_ms: None,
            created_at_ms: now_ms,
            expires_at_ms: now_ms.saturating_add(self.config.refresh_token_validity_ms),
            use_static_key: !use_dynamic_key,
        };
        self.store.insert_session(&row)?;
        self.issue(&row, &refresh_token, anti_csrf, now_ms, None)
    }

    /// Rotates a session's refresh token.
    ///
    /// # Errors
    /// `UNAUTHORISED` for a token that is not ours, an expired or missing session, or an
    /// anti-CSRF mismatch; `TOKEN_THEFT_DETECTED` (payload `{userId, recipeUserId,
    /// sessionHandle}`, session revoked) for reuse of an old token; `STORAGE`.
    pub fn refresh(
        &self,
        refresh_token: &str,
        anti_csrf_token: Option<&str>,
        enable_anti_csrf: bool,
        use_dynamic_key: bool,
        now_ms: u64,
    ) -> Result<IssuedTokens> {
        let parsed = self.parse_refresh_token(refresh_token)?;
        if enable_anti_csrf {
            if let Some(expected) = &parsed.anti_csrf {
                if anti_csrf_token != Some(expected.as_str()) {
                    return Err(Error::unauthorised("Anti CSRF token missing, or not matching"));
                }
            }
        }
        let presented = hash2(refresh_token);
        let anti_csrf = enable_anti_csrf.then(|| uuid::Uuid::new_v4().to_string());
        let next = self.new_refresh_token(&parsed.handle, anti_csrf.as_deref())?;
        let next_hash = hash2(&next);
        let grace = self.config.refresh_token_grace_ms;
        let validity = self.config.refresh_token_validity_ms;

        let mut verdict: Option<Result<SessionRow>> = None;
        self.store.update_session(&parsed.handle, &mut |row| {
            let Some(row) = row else {
                verdict = Some(Err(Error::unauthorised("Session missing in db or has expired")));
                return SessionUpdate::Keep;
            };
            if row.expires_at_ms <= now_ms {
                verdict = Some(Err(Error::unauthorised("Session missing in db or has expired")));
                return SessionUpdate::Delete;
            }
            let within_grace = row.prev_refresh_token_hash2.as_deref() == Some(presented.as_str())
                && row.rotated_at_ms.is_some_and(|t| now_ms.saturating_sub(t) < grace);
            if row.refresh_token_hash2 == presented || within_grace {
                let mut new_row = row.clone();
                if row.refresh_token_hash2 == presented {
                    new_row.prev_refresh_token_hash2 = Some(presented.clone());
                    new_row.rotated_at_ms = Some(now_ms);
                }
                new_row.refresh_token_hash2 = next_hash.clone();
                new_row.expires_at_ms = now_ms.saturating_add(validity);
                new_row.use_static_key = !use_dynamic_key;
                verdict = Some(Ok(new_row.clone()));
                return SessionUpdate::Replace(new_row);
            }
            verdict =
                Some(Err(Error::new(ErrorKind::TokenTheftDetected, "Refresh token reuse detected: session revoked")
                    .with_payload(json!({
                        "userId": row.user_id,
                        "recipeUserId": row.recipe_user_id,
                        "sessionHandle": row.handle,
                    }))));
            SessionUpdate::Delete
        })?;
        let row = verdict.unwrap_or_else(|| Err(Error::internal("store did not consult the refresh decision")))?;
        self.issue(&row, &next, anti_csrf, now_ms, None)
    }

    /// Checks a verified access token against the database (`checkDatabase`): the session
    /// must exist and the token must belong to its current or previous refresh token. When
    /// the stored payload has changed since the token was minted, a new access token with
    /// the stored payload is returned.
    ///
    /// # Errors
    /// `UNAUTHORISED` when the session is gone or the token is from a rotated-out branch;
    /// `STORAGE`.
    pub fn check_database(&self, token: &VerifiedToken, now_ms: u64) -> Result<Option<IssuedTokens>> {
        let row = self
            .live_session(&token.session_handle, now_ms)?
            .ok_or_else(|| Error::unauthorised("Either the session has ended or has been blacklisted"))?;
        let h2 = sha256_hex(token.refresh_token_hash1.as_bytes());
        if row.refresh_token_hash2 != h2 && row.prev_refresh_token_hash2.as_deref() != Some(h2.as_str()) {
            return Err(Error::unauthorised("Rotated-out token branch; refresh required"));
        }
        if token.version >= 3 && custom_claims(&token.payload) == row.access_token_payload {
            return Ok(None);
        }
        if token.version < 3 && token.payload == row.access_token_payload {
            return Ok(None);
        }
        let rt = RefreshLink { hash1: token.refresh_token_hash1.clone() };
        self.issue_linked(&row, &rt, token.anti_csrf_token.clone(), now_ms, None).map(Some)
    }

    /// Merges `update` into the payload of the session whose verified access token is
    /// `token`: protected props are ignored, `null` deletes a key. Stores the new payload and,
    /// if the token has not expired, returns a new access token with the same expiry.
    ///
    /// # Errors
    /// `UNAUTHORISED` if the session no longer exists; `STORAGE`.
    pub fn regenerate(
        &self,
        token: &VerifiedToken,
        update: &Map<String, Value>,
        now_ms: u64,
    ) -> Result<Option<IssuedTokens>> {
        self.replace_payload(token, merged_custom_payload(token, update), now_ms)
    }

    /// The SuperTokens core's `/recipe/session/regenerate`: stores `payload` as the custom
    /// payload of the session whose access token is `token` and, if the token has not
    /// expired, returns a new access token with the same expiry.
    ///
    /// # Errors
    /// `INVALID_INPUT` for protected props; `UNAUTHORISED` if the session no longer exists;
    /// `STORAGE`.
    pub fn replace_payload(
        &self,
        token: &VerifiedToken,
        payload: Map<String, Value>,
        now_ms: u64,
    ) -> Result<Option<IssuedTokens>> {
        reject_protected_props(&payload)?;
        let row = self
            .update_live_session(&token.session_handle, now_ms, &mut |row| row.access_token_payload = payload.clone())?
            .ok_or_else(|| Error::unauthorised("Session does not exist anymore"))?;
        if now_ms >= token.expiry_ms {
            return Ok(None);
        }
        let rt = RefreshLink { hash1: token.refresh_token_hash1.clone() };
        self.issue_linked(&row, &rt, token.anti_csrf_token.clone(), now_ms, Some(token.expiry_ms)).map(Some)
    }

    /// Merges `update` into a session's stored payload by handle; tokens already issued are
    /// not changed. Returns false if there is no such live session.
    ///
    /// # Errors
    /// `STORAGE`.
    pub fn merge_into_access_token_payload(
        &self,
        handle: &str,
        update: &Map<String, Value>,
        now_ms: u64,
    ) -> Result<bool> {
        let updated = self.update_live_session(handle, now_ms, &mut |row| {
            row.access_token_payload = merge_payload(std::mem::take(&mut row.access_token_payload), update);
        })?;
        Ok(updated.is_some())
    }

    /// Applies `change` to the live session `handle` atomically; `None` if there is none.
    fn update_live_session(
        &self,
        handle: &str,
        now_ms: u64,
        change: &mut dyn FnMut(&mut SessionRow),
    ) -> Result<Option<SessionRow>> {
        let mut out = None;
        self.store.update_session(handle, &mut |row| match row {
            Some(row) if row.expires_at_ms > now_ms => {
                let mut new_row = row.clone();
                change(&mut new_row);
                out = Some(new_row.clone());
                SessionUpdate::Replace(new_row)
            }
            _ => {
                out = None;
                SessionUpdate::Keep
            }
        })?;
        Ok(out)
    }

    /// The live (unexpired) session with this handle.
    ///
    /// # Errors
    /// `STORAGE`.
    pub fn live_session(&self, handle: &str, now_ms: u64) -> Result<Option<SessionRow>> {
        Ok(self.store.get_session(handle)?.filter(|r| r.expires_at_ms > now_ms))
    }

    /// `getSessionInformation`: `None` when the session does not exist or has expired.
    ///
    /// # Errors
    /// `STORAGE`.
    pub fn session_information(&self, handle: &str, now_ms: u64) -> Result<Option<SessionInformation>> {
        Ok(self.live_session(handle, now_ms)?.map(|row| SessionInformation {
            session: identity(&row),
            session_data_in_database: row.session_data,
            custom_claims_in_access_token_payload: row.access_token_payload,
            expiry_ms: row.expires_at_ms,
            time_created_ms: row.created_at_ms,
        }))
    }

    /// Replaces a session's database data; false if there is no such live session.
    ///
    /// # Errors
    /// `STORAGE`.
    pub fn update_session_data(&self, handle: &str, data: &Map<String, Value>, now_ms: u64) -> Result<bool> {
        let updated = self.update_live_session(handle, now_ms, &mut |row| row.session_data = data.clone())?;
        Ok(updated.is_some())
    }

    /// Revokes sessions by handle; returns those that existed.
    ///
    /// # Errors
    /// `STORAGE`.
    pub fn revoke_sessions(&self, handles: &[String]) -> Result<Vec<String>> {
        self.store.delete_sessions(handles)
    }

    /// The live session handles of a user, in one tenant or in all (`None`).
    ///
    /// # Errors
    /// `STORAGE`.
    pub fn session_handles_for_user(&self, user_id: &str, tenant_id: Option<&str>, now_ms: u64) -> Result<Vec<String>> {
        self.store.session_handles_for_user(user_id, tenant_id, now_ms)
    }

    /// Revokes every session of a user, in one tenant or in all (`None`); returns the handles.
    ///
    /// # Errors
    /// `STORAGE`.
    pub fn revoke_all_sessions_for_user(
        &self,
        user_id: &str,
        tenant_id: Option<&str>,
        now_ms: u64,
    ) -> Result<Vec<String>> {
        let handles = self.store.session_handles_for_user(user_id, tenant_id, now_ms)?;
        self.store.delete_sessions(&handles)
    }

    fn issue(
        &self,
        row: &SessionRow,
        refresh_token: &str,
        anti_csrf: Option<String>,
        now_ms: u64,
        keep_expiry_ms: Option<u64>,
    ) -> Result<IssuedTokens> {
        let link = RefreshLink { hash1: sha256_hex(refresh_token.as_bytes()) };
        let mut issued = self.issue_linked(row, &link, anti_csrf, now_ms, keep_expiry_ms)?;
        issued.refresh_token = Some(refresh_token.to_owned());
        Ok(issued)
    }

    fn issue_linked(
        &self,
        row: &SessionRow,
        link: &RefreshLink,
        anti_csrf: Option<String>,
        now_ms: u64,
        keep_expiry_ms: Option<u64>,
    ) -> Result<IssuedTokens> {
        let iat_s = now_ms / 1000;
        let exp_s = match keep_expiry_ms {
            Some(ms) => ms / 1000,
            None => now_ms.saturating_add(self.config.access_token_validity_ms) / 1000,
        };
        let mut payload = row.access_token_payload.clone();
        for p in PROTECTED_PROPS {
            payload.remove(*p);
        }
        payload.insert("sub".into(), json!(row.user_id));
        payload.insert("exp".into(), json!(exp_s));
        payload.insert("iat".into(), json!(iat_s));
        payload.insert("sessionHandle".into(), json!(row.handle));
        payload.insert("refreshTokenHash1".into(), json!(link.hash1));
        payload.insert("parentRefreshTokenHash1".into(), Value::Null);
        payload.insert("antiCsrfToken".into(), anti_csrf.clone().map_or(Value::Null, Value::String));
        payload.insert("tId".into(), json!(row.tenant_id));
        payload.insert("rsub".into(), json!(row.recipe_user_id));
        let key = self.keys.signing_key(!row.use_static_key, now_ms)?;
        let access_token = token::sign_jwt(&key, ACCESS_TOKEN_VERSION, &payload)?;
        Ok(IssuedTokens {
            session: identity(row),
            access_token,
            access_token_payload: payload,
            access_token_expiry_ms: exp_s * 1000,
            access_token_created_ms: iat_s * 1000,
            refresh_token: None,
            refresh_token_expiry_ms: row.expires_at_ms,
            anti_csrf_token: anti_csrf,
        })
    }

    fn new_refresh_token(&self, handle: &str, anti_csrf: Option<&str>) -> Result<String> {
        let mut nonce = [0u8; 32];
        fill_random(&mut nonce)?;
        let body = format!(
            "{REFRESH_TOKEN_PREFIX}.{}.{}.{}",
            b64::encode_url(handle.as_bytes()),
            b64::encode_url(&nonce),
            b64::encode_url(anti_csrf.unwrap_or_default().as_bytes()),
        );
        let tag = hmac::sign(self.mac_key()?, body.as_bytes());
        Ok(format!("{body}.{}", b64::encode_url(tag.as_ref())))
    }

    fn parse_refresh_token(&self, token: &str) -> Result<ParsedRefreshToken> {
        let invalid = || Error::unauthorised("Refresh token is not valid");
        let (body, tag) = token.rsplit_once('.').ok_or_else(invalid)?;
        // The tag is compared as we wrote it, not as decoded: lenient base64 ignores the last
        // character's trailing bits, and a second spelling of one token must not refresh.
        let expected = b64::encode_url(hmac::sign(self.mac_key()?, body.as_bytes()).as_ref());
        constant_time::verify_slices_are_equal(expected.as_bytes(), tag.as_bytes()).map_err(|_| invalid())?;
        let mut parts = body.split('.');
        let (Some(REFRESH_TOKEN_PREFIX), Some(handle), Some(_nonce), Some(anti_csrf), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let handle =
            b64::decode_lenient(handle.as_bytes()).and_then(|h| String::from_utf8(h).ok()).ok_or_else(invalid)?;
        let anti_csrf =
            b64::decode_lenient(anti_csrf.as_bytes()).and_then(|h| String::from_utf8(h).ok()).ok_or_else(invalid)?;
        Ok(ParsedRefreshToken { handle, anti_csrf: (!anti_csrf.is_empty()).then_some(anti_csrf) })
    }
}

struct ParsedRefreshToken {
    handle: String,
    anti_csrf: Option<String>,
}

struct RefreshLink {
    hash1: String,
}

fn identity(row: &SessionRow) -> SessionIdentity {
    SessionIdentity {
        handle: row.handle.clone(),
        user_id: row.user_id.clone(),
        recipe_user_id: row.recipe_user_id.clone(),
        tenant_id: row.tenant_id.clone(),
    }
}

fn validate_tenant(tenant_id: &str) -> Result<()> {
    let ok = !tenant_id.is_empty()
        && tenant_id.len() <= 64
        && tenant_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::input(format!("tenantId {tenant_id:?} must be 1-64 letters, digits or '-'")))
    }
}

fn fill_random(buf: &mut [u8]) -> Result<()> {
    use aws_lc_rs::rand::SecureRandom;
    aws_lc_rs::rand::SystemRandom::new().fill(buf).map_err(|_| Error::internal("the system random source failed"))
}

/// `INVALID_INPUT` when an app's payload sets a prop the protocol writes itself.
fn reject_protected_props(payload: &Map<String, Value>) -> Result<()> {
    let protected: Vec<&str> = PROTECTED_PROPS.iter().copied().filter(|p| payload.contains_key(*p)).collect();
    if protected.is_empty() {
        return Ok(());
    }
    Err(Error::input(format!("The access token payload contains protected props: {}", protected.join(", "))))
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = digest::digest(&digest::SHA256, bytes);
    let mut out = String::with_capacity(64);
    for b in d.as_ref() {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// `sha256hex(sha256hex(refresh token))`, what the store keeps.
pub fn hash2(refresh_token: &str) -> String {
    sha256_hex(sha256_hex(refresh_token.as_bytes()).as_bytes())
}

/// The payload without the protected props (the user's own claims, `iss` included).
pub fn custom_claims(payload: &Map<String, Value>) -> Map<String, Value> {
    payload
        .iter()
        .filter(|(k, _)| !PROTECTED_PROPS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The custom payload `mergeIntoAccessTokenPayload(update)` gives the session of `token`:
/// its own claims (the user data of a v2 token), shallow-merged with `update`. This is what a
/// session's merge hands an app's replacement of `regenerateAccessToken`.
pub fn merged_custom_payload(token: &VerifiedToken, update: &Map<String, Value>) -> Map<String, Value> {
    let base = if token.version >= 3 { custom_claims(&token.payload) } else { token.payload.clone() };
    merge_payload(base, update)
}

/// Shallow merge: protected props in `update` are ignored and `null` deletes a key.
pub fn merge_payload(mut base: Map<String, Value>, update: &Map<String, Value>) -> Map<String, Value> {
    for (k, v) in update {
        if PROTECTED_PROPS.contains(&k.as_str()) {
            continue;
        }
        if v.is_null() {
            base.remove(k);
        } else {
            base.insert(k.clone(), v.clone());
        }
    }
    base
}
