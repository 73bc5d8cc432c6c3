package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"kruzhok/demo"
	"kruzhok/store"
)

// cmdDemo builds a demo region in a new database file. It builds into a
// temporary file beside it and renames that at the end, so the file either
// holds the whole demo or does not exist. With --scale it builds the
// region-scale world instead (demo.World), and with --cache it keeps a copy
// of that world to reuse.
func cmdDemo(args []string, stdout, stderr io.Writer) int {
	flags, data := newFlags("demo", stderr)
	var opt demo.Options
	flags.IntVar(&opt.Children, "children", 3000, "сколько детей")
	flags.IntVar(&opt.Providers, "providers", 40, "сколько исполнителей")
	flags.IntVar(&opt.Programmes, "programmes", 150, "сколько программ")
	flags.Int64Var(&opt.Seed, "seed", 1, "зерно случайных данных: одно зерно — один и тот же регион")
	scaleFlag := flags.String("scale", "", "построить край в масштабе: region — весь край (450 000 детей, учебный год), "+
		"или доля, например 0.01")
	cacheDir := flags.String("cache", "", "каталог готовых краёв для --scale: взять построенный край оттуда или положить туда")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if opt.Children <= 0 || opt.Providers <= 0 || opt.Programmes <= 0 {
		fmt.Fprintln(stderr, "kruzhok demo: --children, --providers и --programmes должны быть больше нуля")
		return exitUsage
	}
	scale := 0.0
	if *scaleFlag != "" {
		s, err := parseScale(*scaleFlag)
		if err == nil {
			opt, err = demo.World(s, opt.Seed)
		}
		if err != nil {
			fmt.Fprintf(stderr, "kruzhok demo: --scale: %v\n", err)
			return exitUsage
		}
		sized := false
		flags.Visit(func(f *flag.Flag) {
			sized = sized || f.Name == "children" || f.Name == "providers" || f.Name == "programmes"
		})
		if sized {
			fmt.Fprintln(stderr, "kruzhok demo: --scale задаёт размеры сам; --children, --providers и --programmes с ним не указываются")
			return exitUsage
		}
		scale = s
	} else if *cacheDir != "" {
		fmt.Fprintln(stderr, "kruzhok demo: --cache хранит только края, построенные с --scale")
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
	var shown time.Time
	opt.Progress = func(s string, done, total int) {
		switch {
		case s != stage:
			stage, shown = s, time.Now()
			fmt.Fprintf(stderr, "[%5.1f с] %s\n", time.Since(start).Seconds(), s)
		case time.Since(shown) >= 10*time.Second:
			// A long stage (a month of the region's journal) says how far it is.
			shown = time.Now()
			fmt.Fprintf(stderr, "[%5.1f с] %s: %d из %d\n", time.Since(start).Seconds(), s, done, total)
		}
	}
	// No fsync per transaction while building: the file is synced once at
	// the end, before the rename (syncFile), and a crash leaves only tmp.
	sopt := store.Options{Now: clock.Now, NoSync: true}
	if scale > 0 {
		sopt.Node = demo.WorldNode
	}
	// The key is the final file's (path.key); the region is built in tmp.
	sopt, err = keyedOptions(path, flags, sopt)
	if err != nil {
		return fail(stderr, "demo", err)
	}
	cached := ""
	if *cacheDir != "" {
		if sopt.DataKey != nil {
			fmt.Fprintln(stderr, "kruzhok demo: --cache хранит только незашифрованные базы; уберите ключ или --cache")
			return exitUsage
		}
		cached = filepath.Join(*cacheDir, worldCacheName(scale, opt.Seed))
	}
	var sum demo.Summary
	if cached != "" && copyFile(cached, tmp) == nil {
		fmt.Fprintf(stderr, "[%5.1f с] край взят из %s\n", time.Since(start).Seconds(), cached)
		db, err := store.Open(tmp, store.Options{NoSync: true})
		if err == nil {
			sum, err = demo.Count(db)
			if cerr := db.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return fail(stderr, "demo", fmt.Errorf("край из %s не читается: %w", cached, err))
		}
	} else {
		db, err := store.Open(tmp, sopt)
		if err != nil {
			return fail(stderr, "demo", err)
		}
		sum, err = demo.Build(db, opt)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			fmt.Fprintf(stderr, "kruzhok demo: демо-регион не построен: %v\n", err)
			return exitFail
		}
		if cached != "" {
			if err := putCache(tmp, cached); err != nil {
				return fail(stderr, "demo", fmt.Errorf("край не положен в %s: %w", *cacheDir, err))
			}
			fmt.Fprintf(stderr, "[%5.1f с] край положен в %s\n", time.Since(start).Seconds(), cached)
		}
	}
	if err := syncFile(tmp); err != nil {
		return fail(stderr, "demo", err)
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

// parseScale reads --scale: "region" is the whole krai (1), else a fraction
// in (0, 1].
func parseScale(s string) (float64, error) {
	if s == "region" {
		return 1, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f > 0 && f <= 1) {
		return 0, fmt.Errorf("нужно region или доля больше 0 и не больше 1, а не «%s»", s)
	}
	return f, nil
}

// worldCacheName is the cache key of a world: the scale, the seed and
// demo.BuildVersion, the generator's version (bumped in demo/world.go when
// the same scale and seed would build other records).
func worldCacheName(scale float64, seed int64) string {
	return fmt.Sprintf("world-v%d-scale%s-seed%d.db", demo.BuildVersion, strconv.FormatFloat(scale, 'g', -1, 64), seed)
}

// putCache copies a built world into the cache, through a temporary file
// and a rename, so the cache never holds half a world.
func putCache(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", dst, os.Getpid())
	defer os.Remove(tmp)
	if err := copyFile(src, tmp); err != nil {
		return err
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// copyFile copies src to a new file dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}

// syncFile flushes a file written without fsync to the disk.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
