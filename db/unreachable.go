package db

import (
	"errors"
	"fmt"
	"net"
)

// UnreachableError says that no PostgreSQL answered at the database URL:
// nothing listens at its address (connection refused, no socket, timeout) or
// its host name is unknown. Its message names the URL tried, without its
// password, and the ways the README gives to get a server.
type UnreachableError struct {
	// URL is the database URL that was tried, its password redacted.
	URL string
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf(`cannot reach PostgreSQL at %s: %v
LMS needs a PostgreSQL server (15 or later). Either
  - start the local one on 127.0.0.1:5432 (user postgres, trust authentication):
      sudo systemctl start postgresql
    or, without systemd: sudo pg_ctlcluster <version> main start   (pg_lsclusters lists the versions)
  - or run LMS with its own PostgreSQL and Mailpit in Docker: docker compose up --build
  - or point DATABASE_URL (or -database-url) at a server you have, e.g.
      DATABASE_URL='postgres://user:password@db.example:5432/lms?sslmode=require'`, e.URL, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// asUnreachable returns err as an *UnreachableError when it says that no
// server answered at rawURL; ok is false otherwise: a server that answers (a
// wrong password, a missing role) says itself what is wrong.
func asUnreachable(rawURL string, err error) (_ *UnreachableError, ok bool) {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	if errors.As(err, &dnsErr) || errors.As(err, &opErr) && opErr.Op == "dial" {
		return &UnreachableError{URL: Redact(rawURL), Err: err}, true
	}
	return nil, false
}
