package ui

import (
	"context"
	"time"

	"kruzhok/app"
	"kruzhok/store"
	ksync "kruzhok/sync"
)

// Options is what the window needs besides the store: the wiring that only
// main can do, because it needs the concrete database, the sync client or
// the job scheduler. The zero Options opens a window on a database that syncs
// with no one.
type Options struct {
	// DataPath is the database file, shown in the top bar so people know
	// which data they are looking at ("" hides it).
	DataPath string

	// Sync returns the sync of a node database, or nil for one that syncs
	// with no one (a server or a standalone region). The window asks each
	// time it builds its main screen: after a first start that joined a
	// server, the database has become a node.
	Sync func() Syncer

	// NewInvite makes an invite token for this database's server: the token
	// to hand over, and the hash that app.CreateInvite records. nil: this
	// database cannot invite (the «Узлы» screen says why).
	NewInvite func() (token, hash string, err error)

	// Join pairs a database that syncs with no one with a server, from the
	// top bar's «Подключить…», as FirstStart.Join does; nil leaves the
	// button disabled.
	Join func(ctx context.Context, server, code string) error

	// ServerAddress is the address of the server this node syncs with, for
	// the invite sheet ("" for none).
	ServerAddress func() string

	// FirstStart, when set, opens the window on the choice of a brand-new
	// database instead of the main screen.
	FirstStart *FirstStart

	// Now is the clock of the screens; nil means time.Now.
	Now func() time.Time
}

// Syncer is a node's sync as the window shows it. *store.DB has SyncState
// and OpResults; main adds SyncNow on the job scheduler, so a sync the user
// asks for never runs beside the scheduled one.
type Syncer interface {
	// SyncState is the node's cursor, pending and rejected counts and the
	// time and error of the last sync.
	SyncState() (store.SyncState, error)
	// OpResults lists own ops with the server's answers, newest first.
	OpResults(onlyRejected bool, limit int) ([]store.OpResult, error)
	// SyncNow runs one sync round and returns what it did; it blocks, so
	// the window calls it off the UI goroutine.
	SyncNow(ctx context.Context) (ksync.Report, error)
}

// FirstStart is what a brand-new database can become (DESIGN.md: every
// install is a full node). «Новый регион» needs nothing from main: it is the
// SeedRegion command through the store.
type FirstStart struct {
	// Demo fills the database with the demo region, telling progress what
	// it is doing (a stage and how far it is); it takes a while.
	Demo func(progress func(stage string, done, total int)) error
	// Join pairs the database with the regional server at server by
	// spending the invite (a code from the invite sheet, or a long KRZ1
	// token), and loads the node's data. Its errors carry the server's codes
	// and Russian messages, or the connection's (joinErrorRu tells them).
	Join func(ctx context.Context, server, token string) error
	// Server prefills the server's address: a join that was cut off before
	// the server answered left it in the database.
	Server string
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o Options) syncer() Syncer {
	if o.Sync == nil {
		return nil
	}
	return o.Sync()
}

// Unlock is how the window opens a database sealed under a data key (issue
// 10): the window asks for the password of DataPath's key file (or has one
// chosen for a new or plaintext database), unwraps the data key, and hands it
// to Open, which opens the store with it and builds the Options of the
// window. Open runs off the UI goroutine; it tells progress how far the
// sealing of a plaintext database has come.
type Unlock struct {
	DataPath string
	Open     func(dataKey []byte, progress func(done, total int)) (app.Store, Options, error)
}
