package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"kruzhok/demo"
	"kruzhok/store"
)

// cmdDemo builds a demo region in a new database file. It builds into a
// temporary file beside it and renames that at the end, so the file either
// holds the whole demo or does not exist.
func cmdDemo(args []string, stdout, stderr io.Writer) int {
	flags, data := newFlags("demo", stderr)
	var opt demo.Options
	flags.IntVar(&opt.Children, "children", 3000, "сколько детей")
	flags.IntVar(&opt.Providers, "providers", 40, "сколько исполнителей")
	flags.IntVar(&opt.Programmes, "programmes", 150, "сколько программ")
	flags.Int64Var(&opt.Seed, "seed", 1, "зерно случайных данных: одно зерно — один и тот же регион")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if opt.Children <= 0 || opt.Providers <= 0 || opt.Programmes <= 0 {
		fmt.Fprintln(stderr, "kruzhok demo: --children, --providers и --programmes должны быть больше нуля")
		return exitUsage
	}
	path, err := dataPath(*data)
	if err != nil {
		return fail(stderr, "demo", err)
	}
	if _, err := os.Stat(path); err == nil {
		fmt.Fprintf(stderr, "kruzhok demo: файл %s уже существует; демо-регион строится только в новом файле — укажите другой --data или удалите файл\n", path)
		return exitFail
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail(stderr, "demo", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fail(stderr, "demo", err)
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	defer os.Remove(tmp) // gone already after the rename

	start := time.Now()
	clock := &demo.Clock{}
	opt.Clock = clock
	stage := ""
	opt.Progress = func(s string, done, total int) {
		if s != stage {
			stage = s
			fmt.Fprintf(stderr, "[%5.1f с] %s\n", time.Since(start).Seconds(), s)
		}
	}
	// The key is the final file's (path.key); the region is built in tmp.
	sopt, err := keyedOptions(path, flags, store.Options{Now: clock.Now})
	if err != nil {
		return fail(stderr, "demo", err)
	}
	db, err := store.Open(tmp, sopt)
	if err != nil {
		return fail(stderr, "demo", err)
	}
	sum, err := demo.Build(db, opt)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "kruzhok demo: демо-регион не построен: %v\n", err)
		return exitFail
	}
	if _, err := os.Stat(path); err == nil {
		fmt.Fprintf(stderr, "kruzhok demo: файл %s появился, пока строился демо-регион; он не тронут\n", path)
		return exitFail
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(stderr, "demo", err)
	}
	fmt.Fprintf(stdout, "Демо-регион записан в %s за %.1f с.\n%s", path, time.Since(start).Seconds(), sum)
	return exitOK
}
