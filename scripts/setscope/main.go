// Command setscope turns a copy of a database into a node of another scope,
// for the screenshots (scripts/screenshots.sh): the product has no such
// switch, since a real node gets its scope by joining a server.
//
//	go run ./scripts/setscope FILE municipality:27
//	go run ./scripts/setscope FILE provider:      (the provider with the most contracts)
//
// It prints the scope it set.
package main

import (
	"fmt"
	"os"

	"kruzhok/app"
	"kruzhok/store"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: setscope FILE SCOPE (region, municipality:<code>, provider:<id> or provider:)")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "setscope:", err)
		os.Exit(1)
	}
}

func run(path, scope string) error {
	db, err := store.Open(path, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if scope == "provider:" {
		id, err := busiestProvider(db)
		if err != nil {
			return err
		}
		scope = app.ProviderScope(id)
	}
	// A node, not an authority: its own writes would wait for a server.
	if err := db.SetScope(scope, scope == app.ScopeRegion); err != nil {
		return err
	}
	fmt.Println(scope)
	return nil
}

// busiestProvider is the provider with the most contracts: its screens have
// the most to show.
func busiestProvider(db *store.DB) (string, error) {
	best, most := "", -1
	err := db.View(func(r app.Reader) error {
		provs, err := app.List[app.Provider](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, p := range provs {
			n := 0
			if err := r.Scan(app.KindContract, app.IdxProvider, p.ID, func(string) bool { n++; return true }); err != nil {
				return err
			}
			if n > most {
				best, most = p.ID, n
			}
		}
		return nil
	})
	if err == nil && best == "" {
		err = fmt.Errorf("%s has no providers", db.Path())
	}
	return best, err
}
