// Command kruzhok is Kruzhok, personalised additional education for the
// children of a region (ПФДО): the desktop app and the command-line roles of
// DESIGN.md, one subcommand each (cli*.go).
package main

import (
	"os"

	_ "kruzhok/internal/rulocale" // first of all: Fyne in Russian, no locale noise
)

func main() {
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	showFailure(code)
	os.Exit(code)
}
