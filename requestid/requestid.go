// Package requestid gives every HTTP request an id that follows it into logs,
// audit events and error messages, so a user's report can be traced.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
)

// Header is the HTTP header that carries the request id both ways.
const Header = "X-Request-Id"

type key struct{}

// New returns a fresh random request id.
func New() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// From returns the request id in ctx, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// acceptable limits what a client may choose as its own request id, so it
// cannot inject anything into logs.
var acceptable = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// Middleware takes the client's X-Request-Id when it is well formed, or makes
// one, stores it in the request context and echoes it in the response.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(Header)
		if !acceptable.MatchString(id) {
			id = New()
		}
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(With(r.Context(), id)))
	})
}
