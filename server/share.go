package server

import (
	"net/http"
	"strings"

	"lms/db"
)

// Every GraphQL request of the API and every job of the workers draws its
// connections from one pool. Under a load of requests the pool's waiters
// are mostly requests, and a job (a license file, a mail) would wait its
// turn behind all of them: a license file that takes milliseconds took half
// a second while attaches kept the pool busy (issue 14, P4). So requests
// take turns for all but db.WorkerReserve of the pool's connections, and
// the workers always find one.

// shareSlots is how many GraphQL requests may work at once for a pool of
// maxConns connections: all but db.WorkerReserve when the process runs
// workers, and at least one.
func shareSlots(maxConns int32, workers bool) int {
	if !workers {
		return int(maxConns)
	}
	return max(1, int(maxConns)-db.WorkerReserve)
}

// shareConnections lets a GraphQL request run only in its turn (see
// above). Subscriptions (websockets and server-sent events) hold no turn:
// they last, and wait on events rather than the database.
func (s *Server) shareConnections(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" || strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case s.turns <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		defer func() { <-s.turns }()
		next.ServeHTTP(w, r)
	})
}
