// Package rulocale makes Fyne speak Russian whatever the system's locale
// says, and keeps it quiet about locales it cannot parse.
//
// Fyne chooses its language once, in the init of fyne.io/fyne/v2/lang, from
// LC_ALL, LC_MESSAGES, LANG and LANGUAGE on Linux (from the user's settings
// on Windows); under LANG=C.UTF-8, the default of servers and containers, it
// logs "Fyne error: Error parsing user locale C" on every start. This
// package's init sets the environment first. It must import nothing but
// syscall: Go initialises packages in import-path order among those whose
// imports are ready, so a package that needs only syscall runs before "os"
// and therefore before Fyne's lang, which needs "os". A test builds the
// binary and runs it under LANG=C (main_test.go) to keep that true.
//
// On Windows the environment is not read; FyneRussian and FyneLanguages let the app
// load Fyne's Russian strings under every language Fyne ships, so its dialogs
// are Russian on an English Windows too (ui/run.go).
package rulocale

import (
	"runtime"
	"syscall"
)

// Russian is the locale Kruzhok gives Fyne.
const Russian = "ru_RU.UTF-8"

func init() {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return // these read the system settings, not the environment
	}
	// LC_ALL overrides every category: hand its value to the categories other
	// than messages, so text encoding, sorting and numbers stay as they were.
	if all, ok := syscall.Getenv("LC_ALL"); ok && all != "" {
		for _, c := range []string{"LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY"} {
			_ = syscall.Setenv(c, all)
		}
		_ = syscall.Unsetenv("LC_ALL")
	}
	_ = syscall.Setenv("LC_MESSAGES", Russian)
	_ = syscall.Setenv("LANGUAGE", "ru")
}

// FyneLanguages are the languages Fyne v2.7.1 ships translations for; the
// app loads FyneRussian under each, and under English, Fyne's fallback.
var FyneLanguages = []string{"cs", "de", "el", "en", "es", "fr", "pl", "pt", "pt-BR", "ru", "sv", "ta", "uk", "zh-Hans"}
