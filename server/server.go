package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/uptrace/bun"

	"lms/audit"
	"lms/auth"
	"lms/catalog"
	"lms/db"
	"lms/downloadlink"
	"lms/graph"
	"lms/idempotency"
	"lms/inventory"
	"lms/license"
	"lms/licensefile"
	"lms/licensefile/format"
	"lms/location"
	"lms/mail"
	"lms/migration"
	"lms/notify"
	"lms/partner"
	"lms/replacement"
	"lms/swa"
	"lms/workers"
)

// Server is one LMS process: API, workers, or both.
type Server struct {
	cfg    Config
	log    *slog.Logger
	DB     *db.DB
	Graph  *graph.Resolver
	Tokens *auth.Service
	// Catalog is the catalog in memory, which the domain's catalog reads
	// use while the server runs.
	Catalog *catalog.Memory
	// Jobs inserts jobs inside bun transactions (riverdatabasesql over the
	// shared pool); Worker runs them (riverpgxv5 over the same pool).
	Jobs   *river.Client[*sql.Tx]
	Worker *river.Client[pgx.Tx]
	// Websockets counts the GraphQL websockets held open.
	Websockets *graph.Websockets
	// Ready is closed once the server listens (and workers run).
	Ready     chan struct{}
	handler   http.Handler
	addr      net.Addr
	admission *admission
	// notifications is the process's one LISTEN connection.
	notifications *db.Notifications
}

// Migrate brings the database schema up to date and loads the catalog data
// file (CAT-3), idempotently. `lms migrate` and `lms serve` call it; the
// test database templates of catalog/catalogtest are built the same way.
func Migrate(ctx context.Context, bunDB *bun.DB) ([]string, error) {
	applied, err := db.Migrate(ctx, bunDB)
	if err != nil {
		return nil, err
	}
	c, err := catalog.Default()
	if err != nil {
		return nil, fmt.Errorf("catalog data file: %w", err)
	}
	if err := catalog.Sync(ctx, bunDB, c); err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	return applied, nil
}

// New opens the database (creating and migrating it unless told not to) and
// assembles the services, the HTTP handler and the River clients. It starts
// nothing; Run does.
func New(ctx context.Context, cfg Config) (*Server, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if !cfg.SkipMigrate {
		if err := db.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
			return nil, err
		}
	}
	d, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	s, err := NewWithDB(ctx, cfg, d)
	if err != nil {
		d.Close()
		return nil, err
	}
	return s, nil
}

// NewWithDB is New over an open database (tests pass a fresh one).
func NewWithDB(ctx context.Context, cfg Config, d *db.DB) (*Server, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
		cfg.Logger = log
	}
	if !cfg.SkipMigrate {
		start := time.Now()
		applied, err := Migrate(ctx, d.Bun)
		if err != nil {
			return nil, err
		}
		log.Info("database ready", "database", db.Redact(cfg.DatabaseURL), "migrations_applied", len(applied), "took", time.Since(start).Round(time.Millisecond))
	}

	mem, err := catalog.Serve(ctx, d, log)
	if err != nil {
		return nil, err
	}
	s, err := assemble(cfg, d, mem)
	if err != nil {
		mem.Close()
		return nil, err
	}
	return s, nil
}

// assemble builds the services, the River clients and the HTTP handler.
func assemble(cfg Config, d *db.DB, mem *catalog.Memory) (*Server, error) {
	log := cfg.Logger
	var sender notify.Sender
	if cfg.SMTP.Enabled() {
		ms, err := mail.NewSender(cfg.SMTP)
		if err != nil {
			return nil, fmt.Errorf("mail sender: %w", err)
		}
		sender = ms
		log.Info("mail enabled", "smtp_host", cfg.SMTP.Host, "smtp_port", cfg.SMTP.Port, "tls", cfg.SMTP.TLSPolicy)
	} else {
		log.Warn("no SMTP server configured (LMS_SMTP_HOST): emails are recorded but not sent")
	}

	key := cfg.LicenseKey
	if key == nil {
		var err error
		if key, err = format.GenerateKey(); err != nil {
			return nil, err
		}
		log.Warn("no license signing key configured: license files are signed with an ephemeral key")
	}
	signer := format.NewSigner(key)
	keys := format.Keyring{signer.PublicKey()}
	for _, k := range cfg.TrustedLicenseKeys {
		if k.ID != signer.KeyID() {
			keys = append(keys, k)
		}
	}
	log.Info("license files signed", "key_id", signer.KeyID(), "trusted_keys", len(keys))
	// Emailed download links are keyed by the signing key too, so every
	// process checks what any other signed, across restarts.
	linkSecret, err := signer.DeriveSecret(downloadlink.KeyLabel)
	if err != nil {
		return nil, err
	}
	links, err := downloadlink.NewKey(linkSecret)
	if err != nil {
		return nil, err
	}

	ws := river.NewWorkers()
	notifier := &notify.Service{DB: d.Bun, Sender: sender}
	files := &licensefile.Service{
		DB: d.Bun, Notify: notifier, Signer: signer, Keys: keys,
		Events: &licensefile.Events{}, PublicURL: cfg.PublicURL, Links: links,
		MaxUploadBytes: cfg.MaxUploadBytes,
	}
	swaService := &swa.Service{DB: d.Bun, Notify: notifier, CoolingOff: cfg.SwaCoolingOff, PublicURL: cfg.PublicURL, Links: links}
	workers.Register(ws, workers.Deps{DB: d.Bun, Notify: notifier, Files: files, Swa: swaService, RetryBase: cfg.MailRetryBase})

	// The insert client notifies the workers of new jobs in the inserting
	// transaction, at most once per FetchCooldown per queue: keep it short
	// so a file requested right after another still wakes a worker at once
	// instead of waiting for the next poll.
	jobs, err := river.NewClient(riverdatabasesql.New(d.SQL), &river.Config{Workers: ws, Logger: log, FetchCooldown: 5 * time.Millisecond})
	if err != nil {
		return nil, fmt.Errorf("river insert client: %w", err)
	}
	notifier.Jobs = jobs
	files.Jobs = jobs
	swaService.Jobs = jobs

	pollInterval := cfg.FetchPollInterval
	if pollInterval == 0 {
		pollInterval = time.Second
	}
	worker, err := river.NewClient(riverpgxv5.New(d.Pool), &river.Config{
		Workers:           ws,
		Logger:            log,
		FetchPollInterval: pollInterval,
		FetchCooldown:     min(20*time.Millisecond, pollInterval),
		// A job whose process died is retried minutes later, not after
		// River's default hour (issue 11 item 6).
		RescueStuckJobsAfter: workers.RescueStuckJobsAfter,
		Queues: map[string]river.QueueConfig{
			river.QueueDefault:    {MaxWorkers: 20},
			notify.Queue:          {MaxWorkers: 5},
			licensefile.FileQueue: {MaxWorkers: 10},
		},
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) {
				return idempotency.PurgeArgs{}, nil
			}, nil),
			// SWA-9: statuses and reminders; River's leader enqueues it,
			// so one runs however many worker processes there are.
			river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour), func() (river.JobArgs, *river.InsertOpts) {
				return swa.DailyArgs{}, nil
			}, &river.PeriodicJobOpts{RunOnStart: true}),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("river worker client: %w", err)
	}

	tokens := &auth.Service{DB: d.Bun, RecheckAfter: cfg.TokenRecheckInterval}
	res := &graph.Resolver{DB: d.Bun, Services: graph.Services{
		Partners:   &partner.Service{DB: d.Bun, Notify: notifier, Tokens: tokens},
		Tokens:     tokens,
		Audit:      &audit.Service{DB: d.Bun},
		Notify:     notifier,
		Locations:  &location.Service{DB: d.Bun, Notify: notifier},
		Inventory:  &inventory.Service{DB: d.Bun, Notify: notifier},
		Licenses:   &license.Service{DB: d.Bun, Files: files},
		Files:      files,
		Swa:        swaService,
		Migrations: &migration.Service{DB: d.Bun, Files: files, Notify: notifier},
	}}
	res.Services.Replacements = &replacement.Service{DB: d.Bun, Notify: notifier, Files: files}
	// One connection listens for the notifications of the whole process.
	notes := &db.Notifications{Pool: d.Pool, Logger: log}
	mem.ListenOn(notes)
	if cfg.API {
		files.Events.ListenOn(notes)
		tokens.ListenOn(notes)
	}
	s := &Server{cfg: cfg, log: log, DB: d, Graph: res, Tokens: tokens, Catalog: mem, notifications: notes, Jobs: jobs, Worker: worker, Websockets: new(graph.Websockets), Ready: make(chan struct{}), admission: newAdmission()}
	s.handler, err = s.routes()
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Handler is the whole HTTP surface: /graphql, health, explorer, River UI.
func (s *Server) Handler() http.Handler { return s.handler }

// Addr is the address the server listens on, once Ready is closed.
func (s *Server) Addr() net.Addr { return s.addr }

// Run serves until ctx is cancelled, then shuts down gracefully: the HTTP
// server stops accepting and lets in-flight requests finish, and the workers
// stop fetching and let running jobs finish (jobs still running at the
// timeout are cancelled and retried later). It closes the database.
func (s *Server) Run(ctx context.Context) error {
	defer s.DB.Close()
	defer s.Catalog.Close()
	errc := make(chan error, 2)
	// Background loops of the process: they end, and the last use of
	// tokens is recorded, before the database closes.
	var background sync.WaitGroup
	listen, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	defer background.Wait()
	defer stopListening()
	background.Go(func() { s.notifications.Run(listen) })
	if s.cfg.API {
		background.Go(func() { s.Tokens.Run(listen, s.log) })
	}

	if s.cfg.Workers {
		if err := s.Worker.Start(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("start workers: %w", err)
		}
		s.log.Info("workers started")
	}
	var srv *http.Server
	if s.cfg.API {
		ln, err := net.Listen("tcp", s.cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", s.cfg.HTTPAddr, err)
		}
		s.addr = ln.Addr()
		srv = &http.Server{
			Handler:           s.handler,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		}
		go func() {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
		s.log.Info("listening", "addr", "http://"+ln.Addr().String(), "graphql", "http://"+ln.Addr().String()+"/graphql", "explorer", s.cfg.Explorer)
	}
	close(s.Ready)

	var runErr error
	select {
	case <-ctx.Done():
		s.log.Info("shutting down")
	case runErr = <-errc:
		s.log.Error("server failed", "err", runErr)
	}

	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	if srv != nil {
		if err := srv.Shutdown(shutdownCtx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
	}
	if s.cfg.Workers {
		if err := s.Worker.Stop(shutdownCtx); err != nil {
			s.log.Warn("workers did not stop in time; cancelling running jobs", "err", err)
			_ = s.Worker.StopAndCancel(context.Background())
		}
	}
	return errors.Join(append(errs, runErr)...)
}
