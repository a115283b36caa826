// Package server assembles LMS: one pgx pool shared by bun and River, the
// domain services, the GraphQL API with its middleware, health endpoints, the
// explorer and River UI, and the River workers. cmd/lms only parses flags and
// calls it.
package server

import (
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"lms/db"
	"lms/graph"
	"lms/licensefile/format"
	"lms/mail"
	"lms/swa"
)

// Config is everything LMS can be told. Every field has an environment
// variable (FromEnv); the README lists them.
type Config struct {
	// DatabaseURL is the PostgreSQL database (DATABASE_URL). It is created
	// when missing and migrated on start unless SkipMigrate is set.
	DatabaseURL string
	SkipMigrate bool
	// HTTPAddr is where the API listens (LMS_HTTP_ADDR).
	HTTPAddr string
	// Env is "development" (default) or "production" (LMS_ENV). Development
	// turns the explorer and introspection on unless they are set explicitly.
	Env string
	// Explorer serves GraphiQL at /explorer/ (LMS_EXPLORER).
	Explorer bool
	// Introspection allows schema introspection (LMS_INTROSPECTION).
	Introspection bool
	// ExposeStatementCount adds extensions.sqlStatements to GraphQL answers
	// (LMS_EXPOSE_SQL_COUNT; default on in development).
	ExposeStatementCount bool
	// API and Workers choose what this process runs; both by default
	// (LMS_RUN_API, LMS_RUN_WORKERS), so either can be scaled out.
	API     bool
	Workers bool
	// CORSOrigins are the exact origins of browser front ends that may call
	// the API, over HTTP and websockets (LMS_CORS_ORIGINS, comma-separated);
	// none: same origin only.
	CORSOrigins []string
	// MaxBodyBytes limits a request body (LMS_MAX_BODY_BYTES).
	MaxBodyBytes int64
	// MaxUploadBytes limits a GraphQL multipart request, the uploaded file
	// with its operation, and the external license files the license
	// service reads (LMS_MAX_UPLOAD_BYTES; graph.DefaultMaxUploadBytes,
	// which is licensefile.DefaultMaxUploadBytes, when 0).
	MaxUploadBytes int64
	// ShutdownTimeout bounds the graceful shutdown (LMS_SHUTDOWN_TIMEOUT).
	ShutdownTimeout time.Duration
	// TokenRecheckInterval is how long a live subscription trusts that its
	// API token is still valid (not revoked, expired or disabled) before it
	// checks again (LMS_TOKEN_RECHECK_INTERVAL); 0 checks before every
	// event.
	TokenRecheckInterval time.Duration
	// SMTP is the mail server (LMS_SMTP_*); with no host, mail is recorded
	// and not sent.
	SMTP mail.Config
	// SwaCoolingOff is how long an SWA assignment stays pending before it
	// is activated (LMS_SWA_COOLING_OFF, default 24h, SWA-8); tests and
	// demos set seconds.
	SwaCoolingOff time.Duration
	// MailRetryBase is the first retry delay after a temporary SMTP failure
	// (LMS_MAIL_RETRY_BASE).
	MailRetryBase time.Duration
	// FetchPollInterval is how often idle workers look for jobs when no
	// notification arrives (LMS_JOB_POLL_INTERVAL).
	FetchPollInterval time.Duration
	// LicenseKey signs license files (LIC-6): the PEM key in LMS_LICENSE_KEY,
	// or the file LMS_LICENSE_KEY_FILE; in development a key is generated
	// and stored on first start (format.DefaultKeyPath). Nil in a
	// Config built by hand means an ephemeral key.
	LicenseKey ed25519.PrivateKey
	// TrustedLicenseKeys are earlier signing keys whose files still verify
	// after a rotation: a JWKS file named by LMS_LICENSE_TRUSTED_KEYS (save
	// the old /.well-known/lms-license-keys.json there before rotating).
	TrustedLicenseKeys format.Keyring
	// PublicURL is the base URL users reach LMS at, for links in emails
	// (LMS_PUBLIC_URL; default http://<LMS_HTTP_ADDR>).
	PublicURL string
	Logger    *slog.Logger
}

// Development reports whether Env is development.
func (c Config) Development() bool { return c.Env == "development" }

// FromEnv reads Config from the environment, with defaults that work on a
// fresh developer machine.
func FromEnv() (Config, error) {
	env := getenv("LMS_ENV", "development")
	if env != "development" && env != "production" {
		return Config{}, fmt.Errorf("LMS_ENV must be development or production, not %q", env)
	}
	dev := env == "development"
	c := Config{
		DatabaseURL:       getenv("DATABASE_URL", db.DefaultURL),
		HTTPAddr:          getenv("LMS_HTTP_ADDR", "127.0.0.1:8080"),
		Env:               env,
		SMTP:              mail.Config{Host: os.Getenv("LMS_SMTP_HOST"), TLSPolicy: getenv("LMS_SMTP_TLS_POLICY", "mandatory"), Username: os.Getenv("LMS_SMTP_USERNAME"), Password: os.Getenv("LMS_SMTP_PASSWORD"), From: getenv("LMS_SMTP_FROM", "LMS <lms@localhost>")},
		ShutdownTimeout:   30 * time.Second,
		MailRetryBase:     30 * time.Second,
		FetchPollInterval: time.Second,
	}
	var err error
	parse := func(name string, f func(string) error) {
		if v, ok := os.LookupEnv(name); ok && err == nil {
			if perr := f(v); perr != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, perr)
			}
		}
	}
	boolean := func(dst *bool, def bool) func(string) error {
		*dst = def
		return func(v string) (e error) { *dst, e = strconv.ParseBool(v); return e }
	}
	duration := func(dst *time.Duration) func(string) error {
		return func(v string) (e error) { *dst, e = time.ParseDuration(v); return e }
	}
	parse("LMS_EXPLORER", boolean(&c.Explorer, dev))
	parse("LMS_INTROSPECTION", boolean(&c.Introspection, dev))
	parse("LMS_EXPOSE_SQL_COUNT", boolean(&c.ExposeStatementCount, dev))
	parse("LMS_RUN_API", boolean(&c.API, true))
	parse("LMS_RUN_WORKERS", boolean(&c.Workers, true))
	parse("LMS_SKIP_MIGRATE", boolean(&c.SkipMigrate, false))
	c.MaxBodyBytes = 1 << 20
	parse("LMS_MAX_BODY_BYTES", func(v string) (e error) { c.MaxBodyBytes, e = strconv.ParseInt(v, 10, 64); return e })
	c.MaxUploadBytes = graph.DefaultMaxUploadBytes
	parse("LMS_MAX_UPLOAD_BYTES", func(v string) (e error) {
		if c.MaxUploadBytes, e = strconv.ParseInt(v, 10, 64); e == nil && c.MaxUploadBytes <= 0 {
			e = fmt.Errorf("must be a positive number of bytes")
		}
		return e
	})
	parse("LMS_SHUTDOWN_TIMEOUT", duration(&c.ShutdownTimeout))
	parse("LMS_CORS_ORIGINS", func(v string) (e error) { c.CORSOrigins, e = parseOrigins(v); return e })
	c.TokenRecheckInterval = 5 * time.Second
	parse("LMS_TOKEN_RECHECK_INTERVAL", duration(&c.TokenRecheckInterval))
	parse("LMS_MAIL_RETRY_BASE", duration(&c.MailRetryBase))
	c.SwaCoolingOff = swa.DefaultCoolingOff
	parse("LMS_SWA_COOLING_OFF", func(v string) (e error) {
		if c.SwaCoolingOff, e = time.ParseDuration(v); e == nil && c.SwaCoolingOff <= 0 {
			e = fmt.Errorf("must be a positive duration, e.g. 24h or 5s")
		}
		return e
	})
	parse("LMS_JOB_POLL_INTERVAL", duration(&c.FetchPollInterval))
	parse("LMS_SMTP_PORT", func(v string) (e error) { c.SMTP.Port, e = strconv.Atoi(v); return e })
	parse("LMS_SMTP_TIMEOUT", duration(&c.SMTP.Timeout))
	if err != nil {
		return Config{}, err
	}
	c.PublicURL = strings.TrimRight(getenv("LMS_PUBLIC_URL", "http://"+c.HTTPAddr), "/")
	if !dev && os.Getenv("LMS_PUBLIC_URL") == "" {
		return Config{}, fmt.Errorf("production needs LMS_PUBLIC_URL, the address users reach LMS at (download links in emails)")
	}
	if c.LicenseKey, err = licenseKey(dev); err != nil {
		return Config{}, err
	}
	if path := os.Getenv("LMS_LICENSE_TRUSTED_KEYS"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("LMS_LICENSE_TRUSTED_KEYS: %w", err)
		}
		if c.TrustedLicenseKeys, err = format.ParseJWKS(b); err != nil {
			return Config{}, fmt.Errorf("LMS_LICENSE_TRUSTED_KEYS %s: %w", path, err)
		}
	}
	if c.SMTP.Enabled() {
		if c.SMTP.Port == 0 {
			c.SMTP.Port = 587
		}
		if err := c.SMTP.Validate(); err != nil {
			return Config{}, fmt.Errorf("SMTP configuration: %w", err)
		}
	}
	return c, nil
}

// licenseKey reads the license signing key from LMS_LICENSE_KEY (PEM) or
// the file LMS_LICENSE_KEY_FILE. A development server generates the file on
// first start when it is missing (by default format.DefaultKeyPath); a
// production server must be given its key.
func licenseKey(dev bool) (ed25519.PrivateKey, error) {
	if v := os.Getenv("LMS_LICENSE_KEY"); v != "" {
		k, err := format.ParsePrivateKey([]byte(v))
		if err != nil {
			return nil, fmt.Errorf("LMS_LICENSE_KEY: %w", err)
		}
		return k, nil
	}
	if !dev && os.Getenv(format.KeyFileEnv) == "" {
		return nil, fmt.Errorf("production needs the license signing key: set LMS_LICENSE_KEY or %s", format.KeyFileEnv)
	}
	path, err := format.DefaultKeyPath()
	if err != nil {
		return nil, err
	}
	if dev {
		k, _, err := format.LoadOrCreateKey(path)
		if err != nil {
			return nil, fmt.Errorf("development license signing key %s: %w", path, err)
		}
		return k, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", format.KeyFileEnv, err)
	}
	k, err := format.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", format.KeyFileEnv, path, err)
	}
	return k, nil
}

func getenv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
