// Package db holds LMS's connection to PostgreSQL (one pgx pool shared by bun
// and River), its migrations and its bun models, one file per table.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// DefaultURL is the database LMS uses when DATABASE_URL is not set: the local
// PostgreSQL of a developer machine.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/lms?sslmode=disable"

// DB is the one connection pool of the process and its two views: bun for the
// domain and database/sql for River's transactional inserts.
type DB struct {
	Pool *pgxpool.Pool
	SQL  *sql.DB
	Bun  *bun.DB
}

// WorkerReserve is how many of the pool's connections API requests leave
// to the workers (they take turns for the others, server.shareConnections),
// so that a job never waits behind a queue of requests. A pool whose size
// the URL does not set (pool_max_conns) gets them on top of pgx's default,
// max(4, cores), so requests keep as many as they had.
const WorkerReserve = 1

// Open connects to the database at url, and fails at once, with an
// *UnreachableError, when no server answers there. The pool is shared: Bun
// and SQL wrap the same pgx pool, so a bun.Tx and the River jobs inserted
// through its *sql.Tx use one connection and commit together.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	cfg.ConnConfig.Tracer = statementCounter{}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns += WorkerReserve
	}
	// LMS's statements are short: JIT compiling one costs more than it
	// saves, and a planner without statistics (a table not analysed yet)
	// overestimates costs into JIT's range. A URL may still turn it on.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		if u, ok := asUnreachable(url, err); ok {
			return nil, u
		}
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return Wrap(pool), nil
}

// Wrap builds the bun and database/sql views over an existing pool.
func Wrap(pool *pgxpool.Pool) *DB {
	sqlDB := stdlib.OpenDBFromPool(pool)
	bunDB := bun.NewDB(sqlDB, pgdialect.New())
	return &DB{Pool: pool, SQL: sqlDB, Bun: bunDB}
}

// Close closes the pool.
func (d *DB) Close() {
	_ = d.SQL.Close()
	d.Pool.Close()
}

// EnsureDatabase creates the database named in url when it does not exist,
// connecting to the server's "postgres" maintenance database to do so. It is
// what lets `lms serve` start on a fresh machine with no setup. When no
// server answers, the error is an *UnreachableError.
func EnsureDatabase(ctx context.Context, rawURL string) error {
	// The pool's parser: it accepts the pool_* settings a URL may carry.
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return fmt.Errorf("parse database url: %w", err)
	}
	name := cfg.ConnConfig.Database
	if name == "" || name == "postgres" {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// A key=value DSN: trust the operator to have created it.
		return nil
	}
	u.Path = "/postgres"
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		if u, ok := asUnreachable(rawURL, err); ok {
			return u
		}
		return fmt.Errorf("connect to maintenance database: %w", err)
	}
	defer conn.Close(ctx)

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: another process won the race
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %q: %w", name, err)
	}
	return nil
}

// Redact returns url without its password, for logs.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		// Unparsable: show only what follows the credentials, if any.
		_, host, _ := strings.Cut(rawURL, "@")
		return host
	}
	return u.Redacted()
}
