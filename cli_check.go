package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"kruzhok/app"
	"kruzhok/store"
)

// cmdCheck verifies every invariant of a database: the store's own
// structure and app.Check's domain rules. Each breach is a line of output
// and the exit code is 1.
func cmdCheck(args []string, stdout, stderr io.Writer) int {
	flags, data := newFlags("check", stderr)
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	path, err := dataPath(*data)
	if err != nil {
		return fail(stderr, "check", err)
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "kruzhok check: нет базы данных %s\n", path)
		return exitFail
	}
	opt, err := keyedOptions(path, flags, store.Options{})
	if err != nil {
		return fail(stderr, "check", err)
	}
	db, err := store.Open(path, opt)
	if err != nil {
		return fail(stderr, "check", err)
	}
	defer db.Close()
	domain := app.Check
	if !db.Authority() {
		domain = app.CheckNode // a node holds only its scope's view
	}
	breaches := db.Check(domain)
	for _, b := range breaches {
		fmt.Fprintln(stdout, b)
	}
	if len(breaches) > 0 {
		fmt.Fprintf(stderr, "kruzhok check: нарушений: %d\n", len(breaches))
		return exitFail
	}
	records := 0
	err = db.View(func(r app.Reader) error {
		for _, k := range app.Kinds {
			if err := r.Scan(k, "", "", func(string) bool { records++; return true }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fail(stderr, "check", err)
	}
	ops, err := db.OutboxLen()
	if err != nil {
		return fail(stderr, "check", err)
	}
	fmt.Fprintf(stdout, "OK: нарушений нет (проверено записей: %d, операций: %d)\n", records, ops)
	return exitOK
}
