package main

import (
	"io"
	"log/slog"
	"time"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
	"kruzhok/ui"
)

// cmdGUI opens the desktop window on the database. A new region database
// gets the reference data first, so the window is not empty.
func cmdGUI(args []string, stderr io.Writer) int {
	fs, data := newFlags("gui", stderr)
	if !parse(fs, args, stderr) {
		return exitUsage
	}
	path, err := dataPath(*data)
	if err != nil {
		return fail(stderr, "gui", err)
	}
	db, err := store.Open(path, store.Options{})
	if err != nil {
		return fail(stderr, "gui", err)
	}
	defer db.Close()
	if err := seedIfEmpty(db); err != nil {
		return fail(stderr, "gui", err)
	}
	stopSync := startNodeSync(db, stderr)
	err = ui.Run(db, path)
	if serr := stopSync(); err == nil {
		err = serr
	}
	if err != nil {
		return fail(stderr, "gui", err)
	}
	return exitOK
}

// startNodeSync starts the sync schedule of a joined node database and
// returns what stops it; a server or standalone database syncs with no one.
// A node whose sync cannot start still opens: its data is all local, and the
// reason is logged.
func startNodeSync(db *store.DB, stderr io.Writer) (stop func() error) {
	none := func() error { return nil }
	if db.Authority() {
		return none
	}
	log := slog.New(slog.NewTextHandler(stderr, nil)).With("cmd", "gui")
	c, err := nodeClient(db)
	if err != nil {
		log.Error("sync not started", "err", err)
		return none
	}
	sched, err := startScheduler(db, log, syncJob(c, log))
	if err != nil {
		log.Error("sync not started", "err", err)
		return none
	}
	return sched.Shutdown
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
