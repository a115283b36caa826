// Command lms is the License Management Server: one binary for the API, the
// background workers, migrations and demo data.
//
//	lms serve [-api=true] [-workers=true]   run the API and/or the workers
//	lms migrate                              create and migrate the database
//	lms seed                                 load demo partners and users, print "<email> <token>"
//	lms verify [-key K.pem | -keys JWKS] F   check a license file offline and print its content
//	lms bench [-scale small|full] [-json]     measure the server against raw SQL (see README.md)
//
// Configuration comes from the environment (see README.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"lms/bench"
	"lms/db"
	"lms/seed"
	"lms/server"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "lms:", err)
		os.Exit(1)
	}
}

const usage = `usage: lms <command> [flags]

commands:
  serve     run the GraphQL API and the background workers (default: both)
  migrate   create the database if missing and apply migrations
  seed      load demo data and print "<email> <token>" for every seeded user
  verify    check a license file offline and print its content (lms verify -h)
  bench     measure the API against the same work in raw SQL, on a database of its own (lms bench -h)
`

func run(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "verify":
		// Runs before the server configuration is read: checking a file needs no database
		// and must work on a machine without the server's environment.
		return verifyCommand(args[1:], os.Stdout)
	case "bench":
		// Makes its own database and starts its own server as a child
		// process: it needs none of the server's configuration.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return benchCommand(ctx, args[1:], os.Stdout)
	}
	cfg, err := server.FromEnv()
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if cfg.Development() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	slog.SetDefault(logger)
	cfg.Logger = logger
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fs := flag.NewFlagSet(args[0], flag.ExitOnError)
	switch args[0] {
	case "serve":
		fs.BoolVar(&cfg.API, "api", cfg.API, "serve the HTTP API (LMS_RUN_API)")
		fs.BoolVar(&cfg.Workers, "workers", cfg.Workers, "run the background workers (LMS_RUN_WORKERS)")
		fs.StringVar(&cfg.HTTPAddr, "addr", cfg.HTTPAddr, "listen address (LMS_HTTP_ADDR)")
		fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (DATABASE_URL)")
		_ = fs.Parse(args[1:])
		if !cfg.API && !cfg.Workers {
			return errors.New("serve: nothing to run with -api=false and -workers=false")
		}
		s, err := server.New(ctx, cfg)
		if err != nil {
			return err
		}
		return s.Run(ctx)
	case "migrate":
		fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (DATABASE_URL)")
		_ = fs.Parse(args[1:])
		d, err := openMigrated(ctx, cfg.DatabaseURL, logger)
		if err != nil {
			return err
		}
		d.Close()
		return nil
	case "seed":
		fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (DATABASE_URL)")
		_ = fs.Parse(args[1:])
		d, err := openMigrated(ctx, cfg.DatabaseURL, logger)
		if err != nil {
			return err
		}
		defer d.Close()
		users, err := seed.Run(ctx, d.Bun)
		if err != nil {
			return err
		}
		for _, u := range users {
			fmt.Printf("%s %s\n", u.Email, u.Token)
		}
		return nil
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// benchCommand runs `lms bench` and prints its table (or JSON) on out.
func benchCommand(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	scale := fs.String("scale", "small", "data and load: small or full")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	var opts bench.Opts
	fs.IntVar(&opts.Rounds, "rounds", 3, "rounds of every measure")
	fs.DurationVar(&opts.Duration, "duration", 4*time.Second, "length of each timed run")
	fs.StringVar(&opts.DatabaseURL, "db", "", "database to drop, create and fill (default lms_bench beside DATABASE_URL)")
	only := fs.String("only", "", "comma-separated scenarios to run: P1,P2,P4,P5,P6,auth (default all)")
	_ = fs.Parse(args)
	if *only != "" {
		opts.Only = strings.Split(*only, ",")
	}
	var ok bool
	if opts.Scale, ok = bench.Scales[*scale]; !ok {
		return fmt.Errorf("bench: unknown scale %q (small or full)", *scale)
	}
	results, err := bench.Run(ctx, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		return bench.WriteJSON(out, results)
	}
	return bench.WriteTable(out, results)
}

// openMigrated creates the database if needed, opens it and applies
// migrations and the catalog.
func openMigrated(ctx context.Context, url string, logger *slog.Logger) (*db.DB, error) {
	if err := db.EnsureDatabase(ctx, url); err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	applied, err := server.Migrate(ctx, d.Bun)
	if err != nil {
		d.Close()
		return nil, err
	}
	logger.Info("database migrated", "database", db.Redact(url), "applied", applied)
	return d, nil
}
