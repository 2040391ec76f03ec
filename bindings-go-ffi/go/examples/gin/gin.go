// Package ginexample shows Tessera with gin: supertokens.Middleware as global gin middleware,
// and a verifySession gin.HandlerFunc that runs session.VerifySession and carries the
// request context (with the session) on to the next handler.
package ginexample

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/recipe/session/sessmodels"
	"github.com/tessera-session/tessera/bindings-go-ffi/go/supertokens"
)

// verifySession is session.VerifySession as gin middleware; in handlers, read the session
// with session.GetSessionFromRequestContext(c.Request.Context()).
func verifySession(options *sessmodels.VerifySessionOptions) gin.HandlerFunc {
	return func(c *gin.Context) {
		session.VerifySession(options, func(w http.ResponseWriter, r *http.Request) {
			c.Request = c.Request.WithContext(r.Context())
			c.Next()
		})(c.Writer, c.Request)
		// Whatever VerifySession did (call the chain or answer an error), it is done.
		c.Abort()
	}
}

// Router serves the application; login and getJWT are the application's handlers.
func Router(login, getJWT http.HandlerFunc) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.Use(func(c *gin.Context) {
		supertokens.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.Next()
		})).ServeHTTP(c.Writer, c.Request)
		c.Abort()
	})
	router.POST("/login", gin.WrapF(login))
	router.GET("/getJWT", verifySession(nil), gin.WrapF(getJWT))
	// gin runs global middleware only for routes it knows: give the endpoints Middleware
	// serves a route so that the middleware sees them.
	router.Any("/auth/*path", func(c *gin.Context) {})
	return router
}
