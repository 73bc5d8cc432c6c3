package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode/utf8"

	"kruzhok/app"
)

// version is the release; FyneApp.toml carries the same (a test keeps them in step).
const version = "0.1.0"

// Exit codes of every subcommand.
const (
	exitOK    = 0 // done
	exitFail  = 1 // failed, or check found a breach
	exitUsage = 2 // wrong command line
)

// command is one subcommand: its usage lines and its entry point.
type command struct {
	usage string // the usage lines, already indented
	run   func(args []string, stdout, stderr io.Writer) int
}

// commands holds every subcommand; each cli_*.go file registers its own in
// init, so adding one touches no shared dispatch code.
var commands = map[string]command{}

// order keeps the usage text in registration order.
var order []string

// extraUsage holds usage lines of forms that are not commands of their own
// (the document kinds of export).
var extraUsage []string

func addUsage(lines string) { extraUsage = append(extraUsage, lines) }

func register(name, usage string, run func(args []string, stdout, stderr io.Writer) int) {
	commands[name] = command{usage: usage, run: run}
	order = append(order, name)
}

func init() {
	register("gui", "  kruzhok [gui] [--data ФАЙЛ]   окно программы\n",
		func(args []string, _, stderr io.Writer) int { return cmdGUI(args, stderr) })
	register("demo", "  kruzhok demo [--data ФАЙЛ] [--children N] [--providers N] [--programmes N] [--seed S]\n"+
		"                                заполнить новую базу данных демо-регионом\n", cmdDemo)
	register("check", "  kruzhok check [--data ФАЙЛ]   проверить все инварианты базы данных\n", cmdCheck)
	register("version", "  kruzhok version               версия программы\n",
		func(_ []string, stdout, _ io.Writer) int {
			fmt.Fprintf(stdout, "kruzhok %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return exitOK
		})
}

// run dispatches a command line to its subcommand and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	name := "gui"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if c, ok := commands[name]; ok {
		return c.run(args, stdout, stderr)
	}
	if name == "help" {
		usage(stdout)
		return exitUsage
	}
	fmt.Fprintf(stderr, "kruzhok: неизвестная команда «%s»\n\n", name)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, "Кружок — персонифицированное дополнительное образование детей (ПФДО).\n\nИспользование:\n")
	for _, name := range order {
		fmt.Fprint(w, commands[name].usage)
	}
	for _, u := range extraUsage {
		fmt.Fprint(w, u)
	}
	fmt.Fprintf(w, `  kruzhok help                  эта справка

--data — файл базы данных; по умолчанию %s.
Коды завершения: 0 — готово, 1 — ошибка или нарушение, 2 — неверная команда.
`, defaultDataHint())
}

// newFlags is the flag set of a subcommand with its --data flag.
func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("kruzhok "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "файл базы данных (по умолчанию "+defaultDataHint()+")")
	fs.String("key-file", "", "файл ключа шифрования базы (вне каталога базы; см. docs/SECURITY.md «Keys»)")
	return fs, data
}

// parse reads the subcommand's flags; false means a usage error, reported.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) bool {
	if err := fs.Parse(args); err != nil {
		return false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: лишние аргументы: %s\n", fs.Name(), strings.Join(fs.Args(), " "))
		return false
	}
	return true
}

// dataPath is --data, or the default os.UserConfigDir()/kruzhok/kruzhok.db
// with its directory made.
func dataPath(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("не найден каталог настроек пользователя, укажите --data: %w", err)
	}
	dir = filepath.Join(dir, "kruzhok")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("не удалось создать каталог %s: %w", dir, err)
	}
	return filepath.Join(dir, "kruzhok.db"), nil
}

func defaultDataHint() string {
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "kruzhok", "kruzhok.db")
	}
	return "каталог настроек пользователя/kruzhok/kruzhok.db"
}

// errText is what a user reads about err: the Russian message of a domain
// error, the whole chain of any other.
func errText(err error) string {
	var e *app.Error
	if errors.As(err, &e) {
		return app.ErrorMessage(err)
	}
	return err.Error()
}

// fail reports err of subcommand name and returns exitFail.
func fail(stderr io.Writer, name string, err error) int {
	fmt.Fprintf(stderr, "kruzhok %s: %s\n", name, errText(err))
	return exitFail
}

// failureText is what a message box shows of a failed run with no console
// (main_windows.go): the lines of the program's own
// reports ("kruzhok …: …"), or the tail of stderr if there are none.
func failureText(b []byte) string {
	for len(b) > 0 && !utf8.Valid(b) {
		b = b[1:] // the tail may start inside a letter
	}
	var lines []string
	for _, l := range strings.Split(string(bytes.TrimSpace(b)), "\n") {
		if strings.HasPrefix(l, "kruzhok ") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	if len(lines) == 0 {
		return strings.TrimSpace(string(b))
	}
	return strings.Join(lines, "\n")
}
