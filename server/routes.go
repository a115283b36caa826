package server

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"riverqueue.com/riverui"

	"lms/actor"
	"lms/apperr"
	"lms/db"
	"lms/explorer"
	"lms/graph"
	"lms/requestid"
)

func (s *Server) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)

	gql := graph.NewHandler(graph.HandlerOpts{
		Resolver:             s.Graph,
		Logger:               s.log,
		Introspection:        s.cfg.Introspection,
		ExposeStatementCount: s.cfg.ExposeStatementCount,
		Limits:               graph.DefaultLimits,
		MaxUploadBytes:       s.uploadLimit(),
		Websockets:           s.Websockets,
		AllowedOrigins:       s.cfg.CORSOrigins,
		ConcurrentOperations: shareSlots(s.DB.Pool.Config().MaxConns, s.cfg.Workers),
	})
	mux.Handle("/graphql", s.authenticate(s.limitBody(gql)))
	mux.Handle("GET /license-files/{id}", s.authenticate(http.HandlerFunc(s.downloadLicenseFile)))
	mux.Handle("GET /protect-dat/{id}", s.authenticate(http.HandlerFunc(s.downloadProtectDat)))
	mux.Handle("GET /swa-certificates/{id}", s.authenticate(http.HandlerFunc(s.downloadSwaCertificate)))
	mux.HandleFunc("GET "+LicenseKeysPath, s.licenseKeys)

	if s.cfg.Explorer {
		mux.Handle("/explorer/", http.StripPrefix("/explorer/", explorer.Handler(explorer.Opts{Endpoint: "/graphql", Title: "LMS GraphQL Explorer"})))
		mux.Handle("GET /{$}", http.RedirectHandler("/explorer/", http.StatusFound))
	}

	ui, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(s.Worker, nil),
		Logger:    s.log,
		Prefix:    "/riverui",
	})
	if err != nil {
		return nil, fmt.Errorf("river ui: %w", err)
	}
	if err := ui.Start(context.Background()); err != nil {
		return nil, fmt.Errorf("start river ui: %w", err)
	}
	mux.Handle("/riverui/login", http.HandlerFunc(s.riverUILogin))
	mux.Handle("/riverui/", s.authenticate(adminOnly(ui)))

	return requestid.Middleware(countStatements(s.logRequests(cors(s.cfg.CORSOrigins, mux)))), nil
}

// readyz answers 200 when the database answers and every migration is
// applied, 503 otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.DB.Pool.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "database unreachable"})
		return
	}
	pending, err := db.PendingMigrations(ctx, s.DB.Bun)
	if err != nil || len(pending) > 0 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "migrations pending", "pending": pending})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready"})
}

// countStatements attaches a SQL statement counter to every request.
func countStatements(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(db.WithStatementCounter(r.Context(), new(db.StatementCounter))))
	})
}

// limitBody refuses bodies over MaxBodyBytes (anonymousMaxBody without
// credentials), or for file uploads of a signed-in caller (multipart
// requests, SPEC §12) over MaxUploadBytes: at once when Content-Length says
// so, and while reading otherwise. A multipart request must say its length:
// gqlgen spools large file parts to disk only when it knows the length up
// front, so a chunked upload would be held in memory whole. Large bodies
// other than a signed-in caller's uploads wait for their turn (admission).
// It runs after authenticate, which reads no body.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		signedIn := actor.From(r.Context()) != nil
		limit, what := s.cfg.MaxBodyBytes, "request body"
		if !signedIn {
			limit = min(limit, anonymousMaxBody)
			what = "request body without an API token"
		}
		upload := isMultipart(r)
		if upload {
			if r.ContentLength < 0 {
				writeGraphQLError(w, http.StatusLengthRequired, "VALIDATION_FAILED",
					"send file uploads (multipart requests) with a Content-Length header")
				return
			}
			// Only a signed-in caller may send a body as large as an
			// upload: anonymous requests can do nothing with one.
			if signedIn {
				limit, what = s.uploadLimit(), "upload"
			}
		}
		if r.ContentLength > limit {
			writeGraphQLError(w, http.StatusRequestEntityTooLarge, "VALIDATION_FAILED",
				fmt.Sprintf("the %s is %d bytes; the limit is %d", what, r.ContentLength, limit))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if large(r) && !(upload && signedIn) {
			done, ok := s.admission.wait(w, r)
			if !ok {
				return
			}
			defer done()
		}
		next.ServeHTTP(w, r)
	})
}

// uploadLimit is the configured MaxUploadBytes or its default.
func (s *Server) uploadLimit() int64 {
	return cmp.Or(s.cfg.MaxUploadBytes, graph.DefaultMaxUploadBytes)
}

func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// authenticate resolves the bearer token (or, for River UI, the cookie set by
// its login form) into an actor. No credentials means an anonymous request;
// bad credentials are refused at once with UNAUTHENTICATED.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, present := credentials(r)
		if !present {
			next.ServeHTTP(w, r)
			return
		}
		counted := new(db.StatementCounter)
		a, err := s.Tokens.Authenticate(db.WithStatementCounter(r.Context(), counted), secret)
		if c := db.StatementCounterFrom(r.Context()); c != nil {
			c.AddAuthentication(counted.Count())
		}
		if err != nil {
			if e, ok := apperr.As(err); ok {
				writeGraphQLError(w, http.StatusUnauthorized, string(e.Code), e.Message)
				return
			}
			s.log.ErrorContext(r.Context(), "authenticate", "request_id", requestid.From(r.Context()), "err", err)
			writeGraphQLError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "internal server error; quote request id "+requestid.From(r.Context()))
			return
		}
		next.ServeHTTP(w, r.WithContext(actor.With(r.Context(), a)))
	})
}

const riverUICookie = "lms_riverui_token"

func credentials(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return "", true // present but unusable: refused like a bad token
		}
		return strings.TrimSpace(token), true
	}
	if strings.HasPrefix(r.URL.Path, "/riverui/") {
		if c, err := r.Cookie(riverUICookie); err == nil {
			return c.Value, true
		}
	}
	return "", false
}

// adminOnly lets only the license desk through (River UI shows every
// tenant's jobs). Browsers without credentials are sent to the login form.
func adminOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := actor.From(r.Context())
		if a == nil {
			http.Redirect(w, r, "/riverui/login", http.StatusSeeOther)
			return
		}
		if !a.IsAdmin() {
			http.Error(w, "River UI is for LMS administrators only", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// riverUILogin takes an admin's API token once and keeps it in an HttpOnly
// cookie scoped to /riverui, since the UI's own requests cannot carry a
// bearer header.
func (s *Server) riverUILogin(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
		fmt.Fprint(w, riverUILoginPage)
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		secret := strings.TrimSpace(r.PostFormValue("token"))
		a, err := s.Tokens.Authenticate(r.Context(), secret)
		if err != nil || !a.IsAdmin() {
			http.Error(w, "not an administrator's valid API token", http.StatusForbidden)
			return
		}
		http.SetCookie(w, &http.Cookie{
			Name: riverUICookie, Value: secret, Path: "/riverui/",
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
			MaxAge: int((8 * time.Hour).Seconds()),
		})
		http.Redirect(w, r, "/riverui/", http.StatusSeeOther)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

const riverUILoginPage = `<!doctype html><html><head><meta charset="utf-8"><title>LMS jobs — sign in</title>
<style>body{font-family:sans-serif;max-width:30rem;margin:4rem auto}input{width:100%;padding:.4rem}</style></head>
<body><h1>LMS background jobs</h1><p>River UI is for LMS administrators. Paste an administrator's API token.</p>
<form method="post" action="/riverui/login"><input type="password" name="token" autocomplete="off" placeholder="lms_…" required>
<p><button type="submit">Sign in</button></p></form></body></html>`

// statusRecorder remembers the status code for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush lets streaming answers (subscriptions over server-sent events)
// through; gqlgen asks for http.Flusher directly.
func (r *statusRecorder) Flush() { _ = http.NewResponseController(r.ResponseWriter).Flush() }

// Hijack hands the connection to a websocket upgrade.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

// logRequests writes one structured log line per request.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		level := slog.LevelInfo
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			level = slog.LevelDebug
		}
		attrs := []any{
			"request_id", requestid.From(r.Context()), "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "took", time.Since(start).Round(time.Microsecond),
		}
		if c := db.StatementCounterFrom(r.Context()); c != nil {
			attrs = append(attrs, "sql_statements", c.Count())
		}
		s.log.Log(r.Context(), level, "http request", attrs...)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeGraphQLError answers in GraphQL's response shape, so clients handle
// transport-level refusals like any other error.
func writeGraphQLError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{
		"errors": []map[string]any{{"message": message, "extensions": map[string]any{"code": code}}},
	})
}
