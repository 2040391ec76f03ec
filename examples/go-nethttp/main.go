// The Tessera demo backend on net/http: sessions for the SuperTokens frontend SDK.
// Run: `go run .` (listens on $PORT, default 3003) after `cargo build -p tessera-ffi`.
// Settings come from the environment so that the browser tests and `make demo` can run the
// same program; see ../README.md.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

func getenv(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}

func main() {
	port := getenv("PORT", "3003")
	websiteDomain := getenv("WEBSITE_DOMAIN", "http://localhost:3000")

	sessionConfig := &sessmodels.TypeInput{
		// "any" lets the frontend choose cookies or headers (its tokenTransferMethod).
		TokenTransferMethod: sessmodels.TokenTransferMethod(getenv("TOKEN_TRANSFER_METHOD", "any")),
		// Lets Session.getAccessToken() return the JWT in cookie mode too.
		ExposeAccessTokenToFrontendInCookieBasedAuth: getenv("EXPOSE_ACCESS_TOKEN", "true") == "true",
	}
	if v := os.Getenv("ACCESS_TOKEN_VALIDITY"); v != "" {
		seconds, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			log.Fatalf("ACCESS_TOKEN_VALIDITY: %v", err)
		}
		sessionConfig.AccessTokenValidity = &seconds
	}
	err := supertokens.Init(supertokens.TypeInput{
		// No Supertokens.ConnectionURI: sessions live in the embedded SQLite file
		// (.tessera/sessions.sqlite3, or $TESSERA_SQLITE_PATH).
		AppInfo: supertokens.AppInfo{
			AppName:       "tessera-demo",
			APIDomain:     getenv("API_DOMAIN", "http://localhost:"+port),
			WebsiteDomain: websiteDomain,
		},
		RecipeList: []supertokens.Recipe{session.Init(sessionConfig)},
	})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /signin", signIn)
	mux.Handle("GET /getJWT", session.VerifySession(nil, func(w http.ResponseWriter, r *http.Request) {
		s := session.GetSessionFromRequestContext(r.Context())
		writeJSON(w, http.StatusOK, map[string]string{"token": s.GetAccessToken()})
	}))
	// CheckDatabase: a revoked session is refused at once, not only when its access token expires.
	checkDatabase := true
	mux.Handle("GET /sessioninfo", session.VerifySession(&sessmodels.VerifySessionOptions{CheckDatabase: &checkDatabase},
		func(w http.ResponseWriter, r *http.Request) {
			s := session.GetSessionFromRequestContext(r.Context())
			writeJSON(w, http.StatusOK, map[string]interface{}{
				"userId":             s.GetUserID(),
				"sessionHandle":      s.GetHandle(),
				"accessTokenPayload": s.GetAccessTokenPayload(),
			})
		}))

	// supertokens.Middleware serves POST /auth/session/refresh and POST /auth/signout; cors wraps
	// it so that those answer preflights too.
	handler := cors(websiteDomain, supertokens.Middleware(mux))
	addr := getenv("HOST", "localhost") + ":" + port
	log.Printf("go-nethttp: listening on http://localhost:%s", port)
	log.Fatal(http.ListenAndServe(addr, handler))
}

func signIn(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UserID string `json:"userId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || strings.TrimSpace(body.UserID) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "userId is required"})
		return
	}
	// Demo only: no password. A real app checks credentials before creating the session.
	if _, err := session.CreateNewSession(r, w, "public", strings.TrimSpace(body.UserID), nil, nil); err != nil {
		if err := supertokens.ErrorHandler(err, r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "OK"})
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// cors lets the page (on websiteDomain) call the API with credentials and the request headers
// the SuperTokens frontend SDK sends; the core lists them. The core itself sets
// Access-Control-Expose-Headers on the responses that carry tokens.
func cors(websiteDomain string, next http.Handler) http.Handler {
	allowedHeaders := strings.Join(append([]string{"Content-Type"}, supertokens.GetAllCORSHeaders()...), ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") == websiteDomain {
			w.Header().Set("Access-Control-Allow-Origin", websiteDomain)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Add("Vary", "Origin")
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				w.Header().Set("Access-Control-Allow-Headers", allowedHeaders)
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
