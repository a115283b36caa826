package catalog

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/uptrace/bun"

	lmsdb "lms/db"
)

// ChangedChannel is the PostgreSQL notification channel on which every
// change of the catalog tables is announced (a statement trigger, migration
// 20261206000200), when its transaction commits.
const ChangedChannel = "lms_catalog_changed"

// Memory is the catalog of one database held in memory (issue 14): while a
// process serves it, the Find functions of this package answer from it
// without a statement, and it reloads whenever the tables change, whoever
// changed them. The catalog changes only by deployment or an operator's
// hand, while it is read by nearly every request.
type Memory struct {
	db        *bun.DB
	log       *slog.Logger
	current   atomic.Pointer[snapshot]
	listening chan struct{}
	once      sync.Once
}

// snapshot is one load of the catalog with its lookups. It is never
// changed after it is built: readers share it.
type snapshot struct {
	catalog     *Catalog
	systemTypes map[string]*SystemType
	parts       map[string]*Part
	apps        map[string]*SwaApplication
}

func newSnapshot(c *Catalog) *snapshot {
	s := &snapshot{
		catalog:     c,
		systemTypes: make(map[string]*SystemType, len(c.SystemTypes)),
		parts:       make(map[string]*Part, len(c.Parts)),
		apps:        make(map[string]*SwaApplication, len(c.SwaApplications)),
	}
	for i := range c.SystemTypes {
		s.systemTypes[c.SystemTypes[i].Code] = &c.SystemTypes[i]
	}
	for i := range c.Parts {
		s.parts[c.Parts[i].Number] = &c.Parts[i]
	}
	for i := range c.SwaApplications {
		s.apps[c.SwaApplications[i].Code] = &c.SwaApplications[i]
	}
	return s
}

// served holds the Memory of each database a process serves, by its bun
// handle: the Find functions take any bun.IDB of it (the DB or one of its
// transactions), and tests serve many databases in one process.
var served sync.Map // *bun.DB → *Memory

// Serve loads the catalog of d into memory and makes this package's Find
// functions answer from it for d. ListenOn keeps it current; Close stops
// serving it. The server calls Serve once at start, after migrating.
func Serve(ctx context.Context, d *lmsdb.DB, log *slog.Logger) (*Memory, error) {
	if log == nil {
		log = slog.Default()
	}
	m := &Memory{db: d.Bun, log: log, listening: make(chan struct{})}
	if err := m.reload(ctx); err != nil {
		return nil, err
	}
	served.Store(d.Bun, m)
	return m, nil
}

// Close makes the Find functions read the tables of the database again.
func (m *Memory) Close() { served.CompareAndDelete(m.db, m) }

// Catalog returns the catalog in memory. It is shared: callers must not
// change it.
func (m *Memory) Catalog() *Catalog { return m.current.Load().catalog }

// Listening is closed once the memory listens for changes (tests wait on it).
func (m *Memory) Listening() <-chan struct{} { return m.listening }

// ListenOn makes n tell the memory of every change of the catalog tables:
// it reloads after each, and after every (re)connection of n, so a change
// made while nobody listened is not missed. Without it, the memory keeps
// the catalog Serve loaded.
func (m *Memory) ListenOn(n *lmsdb.Notifications) {
	n.Listen(ChangedChannel, lmsdb.Listener{
		ListeningFunc: func(ctx context.Context) error {
			if err := m.reload(ctx); err != nil {
				return err
			}
			m.once.Do(func() { close(m.listening) })
			return nil
		},
		NotifiedFunc: func(ctx context.Context, _ string) {
			if err := m.reload(ctx); err != nil {
				m.log.Error("catalog changed but could not be reloaded; serving the previous one", "err", err)
			}
		},
	})
}

func (m *Memory) reload(ctx context.Context) error {
	c, err := Load(ctx, m.db)
	if err != nil {
		return fmt.Errorf("load catalog into memory: %w", err)
	}
	m.current.Store(newSnapshot(c))
	return nil
}

// memoryOf returns the catalog in memory of the database idb belongs to,
// or nil when no Memory serves it.
func memoryOf(idb bun.IDB) *snapshot {
	m, ok := served.Load(idb.NewSelect().DB())
	if !ok {
		return nil
	}
	return m.(*Memory).current.Load()
}

// Current returns the whole catalog: the one in memory when the database
// is served (shared: callers must not change it), else read with Load.
func Current(ctx context.Context, idb bun.IDB) (*Catalog, error) {
	if s := memoryOf(idb); s != nil {
		return s.catalog, nil
	}
	return Load(ctx, idb)
}
