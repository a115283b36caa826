package server

import (
	"fmt"
	"net/http"
	"runtime"
	"sync/atomic"
)

// Large GraphQL requests are where the CPU goes before anything is
// authorised or executed: decoding the JSON, parsing the query, measuring it
// against the limits. A burst of them, each cheap on its own, would starve
// everyone else on a small machine, so they take turns.

// anonymousMaxBody is the body limit of a request without credentials: it
// can ask for nothing but introspection (the graphql-js introspection
// query is 2 KB), so a larger body is refused unread.
const anonymousMaxBody = 64 << 10

// smallBody is the largest body that needs no turn: every query of a
// front end, the introspection query, a mutation with a long input.
const smallBody = 16 << 10

// largeWaiting bounds the large requests waiting for a turn; more are
// answered 503 at once.
const largeWaiting = 64

// admission lets at most as many large requests be read and worked on at
// once as half the machine's cores (at least one), so small requests keep
// the rest of the CPU whatever arrives.
type admission struct {
	turns   chan struct{}
	waiting atomic.Int64
}

func newAdmission() *admission {
	return &admission{turns: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))}
}

// large reports whether a request body needs a turn: declared over
// smallBody, or of unknown length.
func large(r *http.Request) bool {
	return r.ContentLength > smallBody || r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody
}

// wait gives r a turn and returns the function that ends it, or answers 503
// when too many wait (or the client gave up) and returns false.
func (a *admission) wait(w http.ResponseWriter, r *http.Request) (func(), bool) {
	if n := a.waiting.Add(1); n > largeWaiting {
		a.waiting.Add(-1)
		w.Header().Set("Retry-After", "1")
		writeGraphQLError(w, http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE",
			fmt.Sprintf("more than %d large requests are waiting; retry in a moment", largeWaiting))
		return nil, false
	}
	defer a.waiting.Add(-1)
	select {
	case a.turns <- struct{}{}:
		return func() { <-a.turns }, true
	case <-r.Context().Done():
		return nil, false
	}
}
