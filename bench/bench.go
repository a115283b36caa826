// Package bench is `lms bench` (issue 14): it measures LMS from outside, as
// clients see it. It creates a database of its own, fills it with COPY
// (generate.go), starts `lms serve` as a child process (child.go), and
// drives each scenario over real HTTP from concurrent clients, paired with
// the same work sent straight to PostgreSQL through pgx (raw_attach.go,
// page.go), for a few rounds. It prints one table: median and spread of
// every measure, with its goal and whether it is met (report.go).
//
// The scenarios, one file each: P1 attach (attach.go), P2 the location
// license page (page.go), P4 activation → file READY over server-sent
// events (ready.go), P5 SWA cooling-off and "process immediately"
// (swa.go), P6 the server's memory under load (memory.go), and the cost of
// authentication (auth.go).
package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Scale is the size of the generated data and of the load.
type Scale struct {
	Name string
	// Partners, Locations and Licenses are the background data: dealers,
	// their SV8100 locations and the licenses on them (three in four
	// activated, with a READY license file).
	Partners, Locations, Licenses int
	// Clients is the concurrency of P1 (attach) and of the authentication
	// scenario.
	Clients int
	// MemoryClients are the concurrencies P6 measures the server's memory at.
	MemoryClients []int
	// Activations is how many activations P4 times per phase, spread over
	// ActivationClients clients, each with its location and subscription.
	Activations, ActivationClients int
	// SwaAssignments is how many SWA assignments P5 times per round and kind.
	SwaAssignments int
}

// Scales are the scales `lms bench -scale` knows.
var Scales = map[string]Scale{
	"small": {Name: "small", Partners: 20, Locations: 1_000, Licenses: 20_000, Clients: 32, MemoryClients: []int{64, 256},
		Activations: 200, ActivationClients: 10, SwaAssignments: 10},
	"full": {Name: "full", Partners: 1_000, Locations: 50_000, Licenses: 1_000_000, Clients: 32, MemoryClients: []int{64, 256},
		Activations: 200, ActivationClients: 10, SwaAssignments: 20},
}

// ServerCommand is how the bench starts the server: a program and its
// arguments, with Env added to the bench's environment and the bench's own
// settings (database, address, mail, statement counts).
type ServerCommand struct {
	Path string
	Args []string
	Env  []string
}

// Opts configures Run.
type Opts struct {
	Scale Scale
	// DatabaseURL names the database the bench drops and creates; its name
	// must contain "bench". Default: lms_bench on the server of
	// DATABASE_URL (or db.DefaultURL).
	DatabaseURL string
	// Rounds is how many times each measure is taken (default 3).
	Rounds int
	// Duration is how long each timed run lasts (default 4s).
	Duration time.Duration
	// CoolingOff is the server's SWA cooling-off period (default 5s), which
	// P5 waits out.
	CoolingOff time.Duration
	// Server starts the API and workers; default: this executable with
	// "serve".
	Server ServerCommand
	// Progress receives a line per phase (default os.Stderr).
	Progress io.Writer
	// Only, when set, names the scenarios to run (P1, P2, P4, P5, P6,
	// auth); default all.
	Only []string
}

// scenarioKeys name the scenarios for Opts.Only.
var scenarioKeys = []string{"P1", "P2", "P4", "P5", "P6", "auth"}

func (o *Opts) defaults() error {
	o.Rounds = cmp.Or(o.Rounds, 3)
	o.Duration = cmp.Or(o.Duration, 4*time.Second)
	o.CoolingOff = cmp.Or(o.CoolingOff, 5*time.Second)
	if o.Progress == nil {
		o.Progress = os.Stderr
	}
	if o.Scale.Name == "" {
		o.Scale = Scales["small"]
	}
	for _, k := range o.Only {
		if !slices.Contains(scenarioKeys, k) {
			return fmt.Errorf("unknown scenario %q: the scenarios are %v", k, scenarioKeys)
		}
	}
	if o.Server.Path == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("find the lms executable to start the server: %w", err)
		}
		o.Server = ServerCommand{Path: exe, Args: []string{"serve"}}
	}
	return nil
}

// run is one bench run: its options, the raw pool, the running server and
// the generated data the scenarios use.
type run struct {
	opts    Opts
	pool    *pgxpool.Pool
	server  *child
	client  *client
	fixture *Fixture
}

func (r *run) progress(format string, args ...any) {
	fmt.Fprintf(r.opts.Progress, "bench: "+format+"\n", args...)
}

// Run creates and fills the bench database, starts the server, runs every
// scenario and returns the measures. The server is stopped before Run
// returns, also when ctx is cancelled.
func Run(ctx context.Context, opts Opts) ([]Result, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	r := &run{opts: opts}
	url, err := benchURL(opts.DatabaseURL)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	r.progress("creating database %s", redact(url))
	if err := createDatabase(ctx, url); err != nil {
		return nil, err
	}
	r.pool, err = pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open the raw pool: %w", err)
	}
	defer r.pool.Close()

	r.progress("generating %s data: %d partners, %d locations, %d licenses", opts.Scale.Name, opts.Scale.Partners, opts.Scale.Locations, opts.Scale.Licenses)
	if r.fixture, err = Generate(ctx, r.pool, GenerateOpts{Scale: opts.Scale, Rounds: opts.Rounds, ProgressFunc: r.progress}); err != nil {
		return nil, err
	}
	r.progress("database created, filled and analysed in %s", time.Since(start).Round(time.Millisecond))

	if r.server, err = startServer(ctx, opts, url); err != nil {
		return nil, err
	}
	defer r.server.stop()
	r.client = newClient(r.server.url)
	r.progress("server pid %d at %s (database pool: %s)", r.server.cmd.Process.Pid, r.server.url, serverPoolSize(url))

	var out []Result
	for _, sc := range []struct {
		key, name string
		run       func(context.Context) ([]Result, error)
	}{
		{"P1", "P1 attach", r.attach},
		{"P2", "P2 license page", r.page},
		{"P4", "P4 activation → READY", r.ready},
		{"P5", "P5 SWA", r.swa},
		{"P6", "P6 memory", r.memory},
		{"auth", "authentication", r.auth},
	} {
		if len(opts.Only) > 0 && !slices.Contains(opts.Only, sc.key) {
			continue
		}
		began := time.Now()
		r.progress("%s …", sc.name)
		res, err := sc.run(ctx)
		if err == nil {
			err = ctx.Err() // interrupted: the numbers are of a cut run
		}
		if err != nil {
			return out, fmt.Errorf("%s: %w", sc.name, err)
		}
		if err := r.server.alive(); err != nil {
			return out, fmt.Errorf("%s: %w", sc.name, err)
		}
		r.progress("%s done in %s", sc.name, time.Since(began).Round(time.Millisecond))
		out = append(out, res...)
	}
	r.progress("finished in %s", time.Since(start).Round(time.Second))
	return out, nil
}
