/* A C caller of tessera.h, run under AddressSanitizer (and its leak checker) by
 * scripts/go-test.sh: every buffer and handle the library returns is freed through the ABI,
 * so any leak, double free or out-of-bounds access across the boundary fails the run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera.h"

#define CHECK(cond, ...)                  \
  do {                                    \
    if (!(cond)) {                        \
      fprintf(stderr, "smoke: " __VA_ARGS__); \
      fprintf(stderr, "\n");              \
      exit(1);                            \
    }                                     \
  } while (0)

static const char *bytes_find(TesseraBytes b, const char *needle) {
  static char buf[65536];
  size_t n = b.len < sizeof buf - 1 ? b.len : sizeof buf - 1;
  if (b.ptr) memcpy(buf, b.ptr, n);
  buf[n] = 0;
  return strstr(buf, needle);
}

static TesseraStatus call_json(TesseraEngine *e, const char *input, TesseraSession **s, TesseraBytes *out,
                               TesseraBytes *err,
                               TesseraStatus (*f)(const TesseraEngine *, const uint8_t *, uintptr_t,
                                                  TesseraSession **, TesseraBytes *, TesseraBytes *)) {
  return f(e, (const uint8_t *)input, strlen(input), s, out, err);
}

int main(void) {
  CHECK(tessera_abi_version() == TESSERA_ABI_VERSION, "ABI version");
  const char *config =
      "{\"appInfo\":{\"appName\":\"c\",\"apiDomain\":\"http://localhost:3001\"},\"connectionURI\":\"sqlite::memory:\"}";
  TesseraEngine *engine = NULL;
  TesseraBytes err = {0};
  CHECK(tessera_engine_new((const uint8_t *)config, strlen(config), &engine, &err) == TESSERA_STATUS_OK, "engine");

  TesseraSession *created = NULL;
  TesseraBytes out = {0};
  CHECK(call_json(engine, "{\"recipeUserId\":\"user-1\"}", &created, &out, &err, tessera_engine_create_new_session) ==
            TESSERA_STATUS_OK,
        "create");
  /* Pull the access token out of {"session":{"token":{"raw":"..."}}}. */
  const char *raw = bytes_find(out, "\"raw\":\"");
  CHECK(raw != NULL, "no raw token");
  char token[4096];
  raw += 7;
  size_t len = strcspn(raw, "\"");
  CHECK(len < sizeof token, "token too long");
  memcpy(token, raw, len);
  token[len] = 0;
  tessera_bytes_free(out);

  char input[8192];
  for (int i = 0; i < 200; i++) {
    snprintf(input, sizeof input,
             "{\"request\":{\"method\":\"GET\",\"path\":\"/x\",\"headers\":[[\"authorization\",\"Bearer %s\"]]}}",
             token);
    TesseraSession *verified = NULL;
    CHECK(call_json(engine, input, &verified, &out, &err, tessera_engine_verify_session) == TESSERA_STATUS_OK,
          "verify");
    CHECK(verified != NULL && bytes_find(out, "\"userId\":\"user-1\"") != NULL, "verified session");
    tessera_bytes_free(out);
    tessera_session_free(verified);
  }

  /* The packed fast path: method, path, then header index 1 (authorization in
   * requestHeaders) with its value; every field is read, then the handle freed. */
  {
    unsigned char packed[8192];
    size_t n = 0;
    char bearer[4200];
    snprintf(bearer, sizeof bearer, "Bearer %s", token);
    const char *parts[] = {"GET", "/x", bearer};
    for (int i = 0; i < 3; i++) {
      if (i == 2) packed[n++] = 1;
      uint32_t len = (uint32_t)strlen(parts[i]);
      for (int b = 0; b < 4; b++) packed[n++] = (unsigned char)(len >> (8 * b));
      memcpy(packed + n, parts[i], len);
      n += len;
    }
    TesseraVerifyOptions options = {true, -1, false, TESSERA_TRANSFER_METHOD_HEADER, false};
    for (int i = 0; i < 200; i++) {
      TesseraSession *s = NULL;
      TesseraSessionFields f;
      TesseraBytes mutations = {0};
      CHECK(tessera_engine_verify_request(engine, packed, n, options, &s, &f, &mutations, &err) == TESSERA_STATUS_OK,
            "verify_request");
      CHECK(s != NULL && mutations.ptr == NULL && f.refresh_token.ptr == NULL, "verify_request outputs");
      CHECK(f.access_token.len == strlen(token) && memcmp(f.access_token.ptr, token, f.access_token.len) == 0,
            "access token field");
      CHECK(f.user_id.len == 6 && memcmp(f.user_id.ptr, "user-1", 6) == 0, "user id field");
      TesseraBytes payload = {0}, front = {0};
      CHECK(tessera_session_access_token_payload(s, &payload, &err) == TESSERA_STATUS_OK && payload.ptr != NULL,
            "payload");
      CHECK(tessera_session_front_token(s, &front, &err) == TESSERA_STATUS_OK && front.ptr != NULL, "front token");
      tessera_bytes_free(payload);
      tessera_bytes_free(front);
      tessera_session_free(s);
    }
    /* The token alone (getSessionWithoutRequestResponse), anti-CSRF check off. */
    TesseraVerifyOptions no_csrf = {true, 0, false, TESSERA_TRANSFER_METHOD_CONFIGURED, false};
    TesseraSession *alone = NULL;
    TesseraSessionFields alone_fields;
    CHECK(tessera_engine_verify_token(engine, (const uint8_t *)token, strlen(token), NULL, 0, no_csrf, &alone,
                                      &alone_fields, &err) == TESSERA_STATUS_OK &&
              alone != NULL && alone_fields.user_id.len == 6,
          "verify_token");
    tessera_session_free(alone);
    /* A truncated buffer is bad input, not a read past its end. */
    TesseraSession *s = NULL;
    TesseraSessionFields f;
    TesseraBytes mutations = {0};
    CHECK(tessera_engine_verify_request(engine, packed, n - 5, options, &s, &f, &mutations, &err) ==
              TESSERA_STATUS_INVALID_INPUT && s == NULL && f.access_token.ptr == NULL,
          "truncated packed request");
    tessera_bytes_free(err);
  }

  /* createJWT, the JWKS and the discovery document: every buffer freed, a NULL validity is
   * the default, a payload that is no object is bad input. */
  {
    const char *payload = "{\"sub\":\"user-1\"}";
    uint64_t validity = 1234;
    TesseraBytes jwt = {0}, jwks = {0}, discovery = {0};
    uint64_t max_age = 0;
    CHECK(tessera_engine_create_jwt(engine, (const uint8_t *)payload, strlen(payload), &validity, false, &jwt, &err) ==
              TESSERA_STATUS_OK && jwt.ptr != NULL,
          "create_jwt");
    tessera_bytes_free(jwt);
    CHECK(tessera_engine_create_jwt(engine, NULL, 0, NULL, true, &jwt, &err) == TESSERA_STATUS_OK && jwt.ptr != NULL,
          "create_jwt without payload or validity");
    tessera_bytes_free(jwt);
    CHECK(tessera_engine_create_jwt(engine, (const uint8_t *)"[]", 2, NULL, true, &jwt, &err) ==
              TESSERA_STATUS_INVALID_INPUT && jwt.ptr == NULL,
          "create_jwt of an array");
    tessera_bytes_free(err);
    CHECK(tessera_engine_jwks(engine, &jwks, &max_age, &err) == TESSERA_STATUS_OK && max_age > 0 &&
              bytes_find(jwks, "\"keys\"") != NULL,
          "jwks");
    tessera_bytes_free(jwks);
    CHECK(tessera_engine_openid_discovery_configuration(engine, &discovery, &err) == TESSERA_STATUS_OK &&
              bytes_find(discovery, "\"jwks_uri\"") != NULL,
          "discovery configuration");
    tessera_bytes_free(discovery);
  }

  /* A session error: the status, the error JSON, then the protocol's answer to it. */
  TesseraSession *none = NULL;
  const char *garbage = "{\"request\":{\"method\":\"GET\",\"path\":\"/x\",\"headers\":[[\"cookie\",\"sAccessToken=%ZZ\"]]}}";
  CHECK(call_json(engine, garbage, &none, &out, &err, tessera_engine_verify_session) == TESSERA_STATUS_UNAUTHORISED,
        "garbage is unauthorised");
  CHECK(none == NULL && out.ptr == NULL && bytes_find(err, "\"code\":\"UNAUTHORISED\"") != NULL, "error JSON");
  tessera_bytes_free(err);

  /* Bad input, NULL out-parameters and a panic: statuses, never a crash. */
  CHECK(tessera_engine_verify_session(engine, (const uint8_t *)"{", 1, &none, &out, &err) == TESSERA_STATUS_INVALID_INPUT,
        "bad JSON");
  tessera_bytes_free(err);
  CHECK(tessera_engine_verify_session(engine, NULL, 0, NULL, NULL, NULL) == TESSERA_STATUS_INVALID_INPUT, "NULL outs");
  CHECK(tessera_testing_panic(&err) == TESSERA_STATUS_INTERNAL && bytes_find(err, "INTERNAL") != NULL, "panic");
  tessera_bytes_free(err);

  tessera_session_free(created);
  tessera_session_free(NULL);
  tessera_engine_free(engine);
  tessera_engine_free(NULL);
  tessera_bytes_free((TesseraBytes){0});
  printf("smoke: ok\n");
  return 0;
}
