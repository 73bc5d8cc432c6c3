package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	gosync "sync"
	"time"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/demo"
	"kruzhok/jobs"
	"kruzhok/keys"
	"kruzhok/store"
	"kruzhok/sync"
	"kruzhok/ui"
)

// cmdGUI opens the desktop window on the database. A brand-new database
// opens on the first-start choice (the demo region, joining a server, or a
// new region); a joined node syncs on the schedule while the window is open.
func cmdGUI(args []string, stderr io.Writer) int {
	fs, data := newFlags("gui", stderr)
	if !parse(fs, args, stderr) {
		return exitUsage
	}
	path, err := dataPath(*data)
	if err != nil {
		return fail(stderr, "gui", err)
	}
	// The demo moves this clock through a simulated autumn while it builds
	// (demo.Options.Clock); at any other time it tells the real time.
	clock := &demo.Clock{}
	log := slog.New(slog.NewTextHandler(stderr, nil)).With("cmd", "gui")
	g := &guiOpener{path: path, clock: clock, log: log}
	if key, ok, err := guiKeyFromOutside(path, keyFileOf(fs)); err != nil {
		return fail(stderr, "gui", err)
	} else if ok {
		st, opts, err := g.open(key, nil)
		if err != nil {
			return fail(stderr, "gui", err)
		}
		err = ui.Run(st, opts)
		if cerr := g.close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fail(stderr, "gui", err)
		}
		return exitOK
	}
	// The window asks for the password (or has one chosen) before it opens
	// the database.
	err = ui.RunUnlock(ui.Unlock{DataPath: path, Open: g.open})
	if cerr := g.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(stderr, "gui", err)
	}
	return exitOK
}

// guiKeyFromOutside is the data key when the desktop is given its secret
// from outside the window (--key-file, KRUZHOK_KEY, the systemd credential
// or KRUZHOK_PASSWORD) for a database with a key file or for a new one:
// ok false means the window asks. A plaintext database of an older version
// is always sealed through the window, which shows the progress.
func guiKeyFromOutside(path, keyFile string) (key []byte, ok bool, err error) {
	env := keyEnv{getenv: os.Getenv} // no terminal prompt: the window asks
	_, haveRaw, err := rawSecret(path, keyFile, env)
	if err != nil {
		return nil, false, err
	}
	if !haveRaw && env.getenv(keys.EnvPassword) == "" {
		return nil, false, nil
	}
	if !keys.Exists(path) && fileExists(path) {
		return nil, false, nil
	}
	key, err = resolveDataKey(path, keyFile, env)
	return key, err == nil, err
}

// guiOpener opens the database once the window has its data key, and keeps
// what cmdGUI closes after the window.
type guiOpener struct {
	path  string
	clock *demo.Clock
	log   *slog.Logger

	mu     gosync.Mutex
	node   *guiNode
	closed bool // the window is gone: a store opened now is closed at once
}

// open is ui.Unlock.Open: the store sealed under key (a plaintext database
// is sealed now, telling progress), the node around it and the window's
// options. It runs off the UI goroutine.
func (g *guiOpener) open(key []byte, progress func(done, total int)) (app.Store, ui.Options, error) {
	db, err := store.Open(g.path, store.Options{Now: g.clock.Now, DataKey: key, Progress: progress})
	if err != nil {
		return nil, ui.Options{}, err
	}
	node := &guiNode{db: db, log: g.log}
	opts := ui.Options{DataPath: g.path, Sync: node.syncer, NewInvite: inviteMaker(db, g.path),
		ServerAddress: func() string { cfg, _ := db.SyncConfig(); return cfg.Server },
		Join:          func(ctx context.Context, server, code string) error { return joinLater(ctx, db, g.log, server, code) }}
	if opts.FirstStart, err = firstStart(db, g.clock, g.log); err != nil {
		db.Close()
		return nil, ui.Options{}, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		db.Close()
		return nil, ui.Options{}, errors.New("окно закрыто, пока база открывалась")
	}
	g.node = node
	return node, opts, nil
}

// close stops the node's schedule and closes its database, if it opened.
func (g *guiOpener) close() error {
	g.mu.Lock()
	node := g.node
	g.node, g.closed = nil, true
	g.mu.Unlock()
	if node == nil {
		return nil
	}
	err := node.stop()
	if cerr := node.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// firstStart is the choice a brand-new database offers: one with no region
// record that is still its own authority (not joined). nil for any other.
func firstStart(db *store.DB, clock *demo.Clock, log *slog.Logger) (*ui.FirstStart, error) {
	if !db.Authority() || db.Scope() != app.ScopeRegion {
		return nil, nil
	}
	err := db.View(func(r app.Reader) error {
		_, err := app.Get[app.Region](r, "region")
		return err
	})
	if err == nil {
		return nil, nil
	} else if app.ErrorCode(err) != app.ENOTFOUND {
		return nil, err
	}
	cfg, err := db.SyncConfig()
	if err != nil {
		return nil, err
	}
	return &ui.FirstStart{
		Demo: func(progress func(stage string, done, total int)) error {
			_, err := demo.Build(db, demo.Options{Clock: clock, Progress: progress})
			return err
		},
		Join: func(ctx context.Context, server, token string) error {
			return joinFromWindow(ctx, db, log, server, token)
		},
		Server: cfg.Server, // a join cut off before the server answered
	}, nil
}

// joinFromWindow is `kruzhok join` for the first-start screen: it checks
// the server's certificate against the pin the code carries and keeps the
// full fingerprint with the sync configuration, so the schedule talks to the
// same server. A join that the server accepted but whose first download was
// cut off is a joined node: the window opens, and the schedule's sync loads
// the rest.
func joinFromWindow(ctx context.Context, db *store.DB, log *slog.Logger, server, token string) error {
	serverURL, err := checkServerURL(server)
	if err != nil {
		return err
	}
	err = sync.JoinWithToken(ctx, db, serverURL, token)
	if err != nil && !db.Authority() {
		log.Warn("joined, first download cut off: the sync resumes it", "err", err)
		return nil
	}
	return err
}

// joinLater is «Подключить…» of the top bar: the join of a database that
// was opened without one. Only an empty database joins: the data of a demo
// or of a standalone region would mix with the server's.
func joinLater(ctx context.Context, db *store.DB, log *slog.Logger, server, token string) error {
	if !db.Authority() {
		cfg, _ := db.SyncConfig()
		return app.Errorf(app.ECONFLICT, "Эта база уже подключена к серверу %s", cfg.Server)
	}
	err := db.View(func(r app.Reader) error {
		_, err := app.Get[app.Region](r, "region")
		return err
	})
	if err == nil {
		return app.Errorf(app.EINVALID, "В этой базе уже есть данные (например, демонстрационные): к серверу "+
			"подключают новую, пустую базу. Установите программу заново на компьютер учреждения "+
			"и при первом запуске выберите «Подключиться к РМЦ»")
	} else if app.ErrorCode(err) != app.ENOTFOUND {
		return err
	}
	return joinFromWindow(ctx, db, log, server, token)
}

// inviteMaker makes invite codes that pin this database's server: the
// fingerprint in the node's sync configuration, or on the server's own
// database the certificate `kruzhok serve` made beside it (made now if the
// server never ran: serve will use the same one). The fingerprint is read
// when an invite is made, so a first start that joined a server invites
// with that server's pin.
func inviteMaker(db *store.DB, path string) func() (string, string, error) {
	return func() (string, string, error) {
		fingerprint := ""
		if db.Authority() {
			fp, err := sync.StoredFingerprint(path)
			if app.ErrorCode(err) == app.ENOTFOUND {
				_, fp, err = sync.LoadOrCreateServerTLS(path)
			}
			if err != nil {
				return "", "", app.Errorf(app.EINTERNAL, "Не удалось подготовить сертификат сервера для кода приглашения: %v", err)
			}
			fingerprint = fp
		} else {
			cfg, err := db.SyncConfig()
			if err != nil {
				return "", "", err
			}
			fingerprint = cfg.Fingerprint
		}
		if len(fingerprint) != 64 && fingerprint != "" {
			// A node that joined by a code and has not met its server since
			// keeps the code's pin only: hand over a long token with it.
			return "", "", app.Errorf(app.ECONFLICT, "Этот компьютер ещё не синхронизировался с сервером: "+
				"нажмите «Синхронизировать сейчас», затем создайте приглашение")
		}
		code, _, hash, err := sync.NewCode(fingerprint)
		return code, hash, err
	}
}

// guiNode is the store the window writes through, and the process's job
// scheduler: it starts when the window opens its main screen (after a first
// start, so that the jobs never run on an empty database), with the server's
// jobs on an authority database and the sync on a joined node. Every local
// write kicks a sync a few seconds later, and «Синхронизировать сейчас» runs
// the scheduler's own sync job, never beside a scheduled one.
type guiNode struct {
	db  *store.DB
	log *slog.Logger

	mu      gosync.Mutex
	sched   *jobs.Scheduler
	syncs   bool // the scheduler has the node's sync job
	started bool
	last    sync.Report
}

var _ app.Store = (*guiNode)(nil)

func (n *guiNode) Exec(cmd app.Command) (app.Op, error) {
	op, err := n.db.Exec(cmd)
	if err == nil {
		n.mu.Lock()
		s := n.sched
		n.mu.Unlock()
		if s != nil {
			s.Kick()
		}
	}
	return op, err
}

func (n *guiNode) View(fn func(r app.Reader) error) error { return n.db.View(fn) }
func (n *guiNode) Scope() string                          { return n.db.Scope() }

// syncer starts the scheduler once and returns the node's sync, or nil for
// a database that syncs with no one. A node whose sync cannot start still
// opens: its data is all local, and the reason is logged.
func (n *guiNode) syncer() ui.Syncer {
	n.mu.Lock()
	if n.started && n.sched != nil && !n.syncs && !n.db.Authority() {
		// Joined since the schedule started (the top bar's «Подключить…»):
		// start it again, with the sync.
		old := n.sched
		n.sched, n.started = nil, false
		n.mu.Unlock()
		if err := old.Shutdown(); err != nil {
			n.log.Warn("jobs stopped with an error", "err", err)
		}
		n.mu.Lock()
	}
	defer n.mu.Unlock()
	if !n.started {
		n.started = true
		var syncFn func(context.Context) error
		if !n.db.Authority() {
			if c, err := nodeClient(n.db); err != nil {
				n.log.Error("sync not started", "err", err)
			} else {
				syncFn = n.syncJob(c)
			}
		}
		sched, err := startScheduler(n.db, n.log, syncFn)
		if err != nil {
			n.log.Error("jobs not started", "err", err)
			return nil
		}
		n.sched, n.syncs = sched, syncFn != nil
	}
	if n.sched == nil || !n.syncs {
		return nil
	}
	return guiSyncer{n}
}

// syncJob is one sync round that keeps its report for SyncNow.
func (n *guiNode) syncJob(c *sync.Client) func(context.Context) error {
	return func(ctx context.Context) error {
		rep, err := c.SyncOnce(ctx)
		n.mu.Lock()
		n.last = rep
		n.mu.Unlock()
		if err != nil {
			n.log.Warn("sync failed", "err", err, "code", app.ErrorCode(err))
			return err
		}
		n.log.Info("synced", "pushed", rep.Pushed, "applied", rep.Applied, "rejected", rep.Rejected,
			"pulled", rep.Pulled, "digest_match", rep.DigestMatch)
		return nil
	}
}

// stop stops the schedule, if it started.
func (n *guiNode) stop() error {
	n.mu.Lock()
	s := n.sched
	n.sched = nil
	n.mu.Unlock()
	if s == nil {
		return nil
	}
	return s.Shutdown()
}

// guiSyncer is ui.Syncer on the node's database and scheduler.
type guiSyncer struct{ n *guiNode }

func (g guiSyncer) SyncState() (store.SyncState, error) { return g.n.db.SyncState() }
func (g guiSyncer) OpResults(onlyRejected bool, limit int) ([]store.OpResult, error) {
	return g.n.db.OpResults(onlyRejected, limit)
}

// SyncNow runs the scheduler's sync job now (after a run in progress) and
// returns the report of its round.
func (g guiSyncer) SyncNow(ctx context.Context) (sync.Report, error) {
	g.n.mu.Lock()
	s := g.n.sched
	g.n.mu.Unlock()
	if s == nil {
		return sync.Report{}, app.Errorf(app.ENOTFOUND, "Синхронизация остановлена")
	}
	done := make(chan error, 1)
	go func() { done <- s.RunNow(jobs.JobSync) }()
	select {
	case err := <-done:
		g.n.mu.Lock()
		rep := g.n.last
		g.n.mu.Unlock()
		return rep, err
	case <-ctx.Done():
		return sync.Report{}, fmt.Errorf("sync now: %w", ctx.Err())
	}
}

// seedIfEmpty loads the reference data into a region database that has none.
// A node of a smaller scope gets it from its server instead.
func seedIfEmpty(db *store.DB) error {
	if db.Scope() != "region" {
		return nil
	}
	err := db.View(func(r app.Reader) error {
		_, err := app.Get[app.Region](r, "region")
		return err
	})
	if app.ErrorCode(err) == app.ENOTFOUND {
		_, err = db.Exec(assets.Seed(app.DateOf(time.Now())))
	}
	return err
}
