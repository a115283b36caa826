package bench

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"lms/db"
	"lms/server"
)

// defaultDatabase is the database the bench makes when given none.
const defaultDatabase = "lms_bench"

// benchURL is the URL of the bench's database: given, or lms_bench on the
// server of DATABASE_URL (db.DefaultURL when unset). The bench drops the
// database, so its name must say it is a bench database.
func benchURL(given string) (string, error) {
	if given == "" {
		base := os.Getenv("DATABASE_URL")
		if base == "" {
			base = db.DefaultURL
		}
		u, err := url.Parse(base)
		if err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql" {
			return "", fmt.Errorf("DATABASE_URL must be a postgres:// URL for the bench to name its database beside it (or give -db)")
		}
		u.Path = "/" + defaultDatabase
		given = u.String()
	}
	cfg, err := connConfig(given)
	if err != nil {
		return "", err
	}
	if !strings.Contains(cfg.Database, "bench") {
		return "", fmt.Errorf("the bench drops and recreates its database: %q must have \"bench\" in its name", cfg.Database)
	}
	return given, nil
}

// createDatabase drops and creates the database of rawURL and migrates it
// as the server does (schema and catalog).
func createDatabase(ctx context.Context, rawURL string) error {
	cfg, err := connConfig(rawURL)
	if err != nil {
		return err
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to the maintenance database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	d, err := db.Open(ctx, rawURL)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := server.Migrate(ctx, d.Bun); err != nil {
		return fmt.Errorf("migrate the bench database: %w", err)
	}
	return nil
}

// connConfig is the connection part of a database URL, which may also
// configure the pool (pool_max_conns).
func connConfig(rawURL string) (*pgx.ConnConfig, error) {
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	return cfg.ConnConfig, nil
}

// dropDatabase drops the database of rawURL (tests clean up with it).
func dropDatabase(ctx context.Context, rawURL string) error {
	cfg, err := connConfig(rawURL)
	if err != nil {
		return err
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// serverPoolSize describes the connection pool the server opens on rawURL:
// pgxpool's size, max(4, CPUs) unless the URL sets pool_max_conns.
func serverPoolSize(rawURL string) string {
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%d connections, shared by the API and the workers", cfg.MaxConns)
}

func redact(rawURL string) string { return db.Redact(rawURL) }
