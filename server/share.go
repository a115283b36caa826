package server

import "lms/db"

// Every GraphQL request of the API and every job of the workers draws its
// connections from one pool. Under a load of requests the pool's waiters
// are mostly requests, and a job (a license file, a mail) would wait its
// turn behind all of them: a license file that takes milliseconds took half
// a second while attaches kept the pool busy (issue 14, P4). So requests
// take turns for all but db.WorkerReserve of the pool's connections
// (graph.HandlerOpts.ConcurrentOperations), and the workers always find one.

// shareSlots is how many GraphQL requests may work at once for a pool of
// maxConns connections: all but db.WorkerReserve when the process runs
// workers, and at least one.
func shareSlots(maxConns int32, workers bool) int {
	if !workers {
		return int(maxConns)
	}
	return max(1, int(maxConns)-db.WorkerReserve)
}
