package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sync/atomic"
	"time"
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

// bodyReadTimeout bounds how long a large body may take to arrive. It is
// read whole before the request takes its turn, so a client that sends it
// slowly holds only its own connection, never a turn.
const bodyReadTimeout = 30 * time.Second

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

// wait reads r's body (within bodyReadTimeout), gives r a turn and returns
// the function that ends it; or it answers (413 for a body over its limit,
// 408 for one too slow, 503 when too many wait) or finds the client gone,
// and returns false.
func (a *admission) wait(w http.ResponseWriter, r *http.Request) (func(), bool) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(bodyReadTimeout))
	body, err := io.ReadAll(r.Body)
	_ = rc.SetReadDeadline(time.Time{})
	if err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			writeGraphQLError(w, http.StatusRequestEntityTooLarge, "VALIDATION_FAILED",
				fmt.Sprintf("the request body is over %d bytes", tooLarge.Limit))
		case errors.Is(err, os.ErrDeadlineExceeded):
			writeGraphQLError(w, http.StatusRequestTimeout, "VALIDATION_FAILED",
				fmt.Sprintf("the request body did not arrive within %s", bodyReadTimeout))
		}
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

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
