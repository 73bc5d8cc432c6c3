package main

import (
	"io"
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
	if err := ui.Run(db, path); err != nil {
		return fail(stderr, "gui", err)
	}
	return exitOK
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
