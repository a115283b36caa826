package lmstest

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// RowLock is a transaction of the test holding a row lock that the code
// under test will wait on: a test pauses a request or a job at that row,
// looks at who waits, and lets it go (Release) or kills it (Terminate).
type RowLock struct {
	tx  *sql.Tx
	pid int     // the backend of tx
	db  *sql.DB // for looking at other backends: tx's statistics snapshot would not change
}

// LockRow locks the one row query selects FOR UPDATE, in a transaction of
// db, until Release (or the end of the test).
func LockRow(t testing.TB, db *sql.DB, query string, args ...any) *RowLock {
	t.Helper()
	tx, err := db.BeginTx(context.Background(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback() })
	l := &RowLock{tx: tx, db: db}
	require.NoError(t, tx.QueryRow(`SELECT pg_backend_pid()`).Scan(&l.pid))
	res, err := tx.Exec(query, args...)
	require.NoError(t, err)
	n, err := res.RowsAffected()
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "rows locked")
	return l
}

// Blocked returns the backends waiting on the lock now.
func (l *RowLock) Blocked(t testing.TB) []int {
	t.Helper()
	rows, err := l.db.Query(`SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, l.pid)
	require.NoError(t, err)
	defer rows.Close()
	var pids []int
	for rows.Next() {
		var pid int
		require.NoError(t, rows.Scan(&pid))
		pids = append(pids, pid)
	}
	require.NoError(t, rows.Err())
	return pids
}

// WaitBlocking waits up to timeout until at least n backends wait on the
// lock, and returns those that do.
func (l *RowLock) WaitBlocking(t testing.TB, n int, timeout time.Duration) []int {
	t.Helper()
	var pids []int
	Eventually(t, timeout, func() bool {
		pids = l.Blocked(t)
		return len(pids) >= n
	}, fmt.Sprintf("%d backends waiting on the row lock", n))
	return pids
}

// Terminate ends backends waiting on the lock (those of a killed process)
// and waits up to timeout until they are gone, so that their statements
// never run.
func (l *RowLock) Terminate(t testing.TB, pids []int, timeout time.Duration) {
	t.Helper()
	for _, pid := range pids {
		_, err := l.db.Exec(`SELECT pg_terminate_backend($1)`, pid)
		require.NoError(t, err)
	}
	Eventually(t, timeout, func() bool { return len(l.Blocked(t)) == 0 }, "the terminated backends to exit")
}

// Release rolls the transaction back, freeing the row.
func (l *RowLock) Release(t testing.TB) {
	t.Helper()
	require.NoError(t, l.tx.Rollback())
}
