package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"

	"kruzhok/app"
	"kruzhok/bench"
	"kruzhok/demo"
	"kruzhok/store"
)

func init() {
	register("bench", "  kruzhok bench sync [--dir КАТАЛОГ] [--marks N] [--runs N] [--warmup N] [-v]\n"+
		"                                замеры синхронизации: байты на операцию, месяц исполнителя,\n"+
		"                                скорость применения на сервере; одним объектом JSON\n"+
		"  kruzhok bench enc [--dir КАТАЛОГ] [--children N] [--marks N] [--commands N] [-v]\n"+
		"                                цена шифрования: применение на сервере и команды рабочего места\n"+
		"                                с ключом и без, разблокировка, поиск по имени; одним объектом JSON\n"+
		"  kruzhok bench region [--world ФАЙЛ [--key-file ФАЙЛ] | --scale ДОЛЯ --seed N] [--nodes N] [--municipalities N]\n"+
		"                [--days N] [--marks N] [--clients N] [--requests N] [--in-process [--today ДАТА]] [--dir КАТАЛОГ] [-v]\n"+
		"                                сервер края: размер базы, подключение узлов, много узлов сразу,\n"+
		"                                каталог, отметки от узла до сервера; JSON в stdout, таблица в stderr\n", cmdBench)
}

// cmdBench runs a benchmark and prints its result as one JSON object on
// stdout. The exit code is 0 when the run completed, whether or not the
// figures meet their targets: the JSON says that ("pass").
func cmdBench(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "enc" {
		return benchEnc(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "region" {
		return benchRegion(args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "sync" {
		fmt.Fprintln(stderr, "kruzhok bench: укажите замер: kruzhok bench sync, kruzhok bench enc или kruzhok bench region")
		return exitUsage
	}
	// No --data: the bench builds its own databases.
	flags := flag.NewFlagSet("kruzhok bench sync", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var opt bench.Options
	flags.StringVar(&opt.Dir, "dir", "", "рабочий каталог (по умолчанию временный, удаляется)")
	flags.IntVar(&opt.Marks, "marks", 4000, "отметок посещаемости в первом замере")
	flags.IntVar(&opt.Runs, "runs", 3, "полных прогонов; результат — прогон с медианной долей от bbolt")
	flags.IntVar(&opt.Warmup, "warmup", 1, "прогонов для разогрева перед ними, не в счёт (0 — без)")
	verbose := flags.Bool("v", false, "ход замера в stderr")
	if !parse(flags, args[1:], stderr) {
		return exitUsage
	}
	if opt.Warmup == 0 {
		opt.Warmup = -1 // bench.Options reads 0 as the default
	}
	if *verbose {
		opt.Log = slog.New(slog.NewTextHandler(stderr, nil))
	}
	return runBench(stdout, stderr, func(ctx context.Context) (any, error) { return bench.Sync(ctx, opt) })
}

// runBench runs one benchmark until it ends or Ctrl-C, and prints its result
// as indented JSON.
func runBench(stdout, stderr io.Writer, run func(context.Context) (any, error)) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := run(ctx)
	if err != nil {
		return fail(stderr, "bench", err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return fail(stderr, "bench", err)
	}
	return exitOK
}

// benchEnc runs the encryption figures (bench.Encryption) and prints them as
// one JSON object; exit 0 whether or not they meet their targets.
func benchEnc(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("kruzhok bench enc", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var opt bench.EncOptions
	flags.StringVar(&opt.Dir, "dir", "", "рабочий каталог (по умолчанию временный, удаляется)")
	flags.IntVar(&opt.Children, "children", 100_000, "детей в базе поиска по имени")
	flags.IntVar(&opt.Marks, "marks", 4000, "операций, применяемых сервером")
	flags.IntVar(&opt.Commands, "commands", 200, "команд рабочего места на каждой базе")
	verbose := flags.Bool("v", false, "ход замера в stderr")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if *verbose {
		opt.Log = slog.New(slog.NewTextHandler(stderr, nil))
	}
	return runBench(stdout, stderr, func(ctx context.Context) (any, error) { return bench.Encryption(ctx, opt) })
}

// benchRegion runs the region figures (bench.Region): the JSON object on
// stdout, the short table on stderr, so that stdout stays one JSON value.
func benchRegion(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("kruzhok bench region", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var opt bench.RegionOptions
	flags.StringVar(&opt.World, "world", "", "готовая база сервера (копируется, сам файл не меняется)")
	flags.String("key-file", "", "файл ключа зашифрованной базы --world")
	flags.Float64Var(&opt.Scale, "scale", 0, "построить мир: доля края (1 — весь край)")
	flags.Int64Var(&opt.Seed, "seed", 1, "зерно построенного мира")
	cache := flags.String("cache", "", "с --scale: каталог готовых миров (как у kruzhok demo --cache)")
	flags.IntVar(&opt.DemoChildren, "children", 3000, "без --world и --scale: детей демо-региона")
	flags.IntVar(&opt.DemoProviders, "providers", 40, "без --world и --scale: исполнителей демо-региона")
	flags.IntVar(&opt.DemoProgrammes, "programmes", 150, "без --world и --scale: программ демо-региона")
	flags.IntVar(&opt.Nodes, "nodes", 500, "узлов одновременно")
	flags.IntVar(&opt.MunNodes, "municipalities", 0, "из них узлов муниципалитетов (0 — по одному на муниципалитет, не больше узла из 15; -1 — ни одного)")
	flags.IntVar(&opt.Days, "days", 1, "дней занятий, по раунду синхронизации на день")
	flags.IntVar(&opt.EnrolPerDay, "enrol", 2, "зачислений в день на узел")
	flags.IntVar(&opt.Marks, "marks", 100_000, "отметок от одного узла в замере «от узла до сервера»")
	flags.IntVar(&opt.Catalogue, "clients", 50, "одновременных посетителей каталога")
	flags.IntVar(&opt.PerClient, "requests", 40, "страниц каталога на посетителя")
	flags.StringVar(&opt.Dir, "dir", "", "рабочий каталог (по умолчанию временный, удаляется)")
	today := flags.String("today", "", "дата замера ГГГГ-ММ-ДД (по умолчанию сегодня; только с --in-process)")
	inProcess := flags.Bool("in-process", false, "сервер в том же процессе, что и узлы (иначе — отдельный процесс kruzhok serve)")
	verbose := flags.Bool("v", false, "ход замера в stderr")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if opt.World != "" && opt.Scale > 0 {
		fmt.Fprintln(stderr, "kruzhok bench region: --world и --scale исключают друг друга")
		return exitUsage
	}
	if opt.Scale < 0 || opt.Scale > 1 {
		fmt.Fprintln(stderr, "kruzhok bench region: --scale — доля края, от 0 до 1")
		return exitUsage
	}
	if opt.Scale > 0 {
		// A built world is the school year 2025/26 (demo.WorldLastDay): the
		// bench runs in it, so its server keeps the bench's clock, not the
		// real one, which is past the world's open months.
		*inProcess = true
		if *today == "" {
			*today = demo.WorldLastDay().String()
		}
		bench.BuildWorld = func(path string, scale float64, seed int64) error {
			return buildWorld(path, scale, seed, *cache, stderr)
		}
	} else if *cache != "" {
		fmt.Fprintln(stderr, "kruzhok bench region: --cache только вместе с --scale")
		return exitUsage
	}
	if *today != "" && !*inProcess {
		fmt.Fprintln(stderr, "kruzhok bench region: --today только вместе с --in-process: отдельный сервер живёт по настоящему времени")
		return exitUsage
	}
	if *today != "" {
		d, err := app.ParseDate(*today)
		if err != nil {
			fmt.Fprintf(stderr, "kruzhok bench region: --today: %s\n", app.ErrorMessage(err))
			return exitUsage
		}
		opt.Today = d
	}
	if opt.World != "" {
		so, err := keyedOptions(opt.World, flags, store.Options{})
		if err != nil {
			return fail(stderr, "bench", err)
		}
		opt.DataKey = so.DataKey
		opt.KeyFile = keyFileOf(flags)
	}
	if !*inProcess {
		// The server as the krai runs it: this binary's `serve`, in a
		// process of its own, so that its memory and CPU are its own.
		exe, err := os.Executable()
		if err != nil {
			return fail(stderr, "bench", err)
		}
		opt.Serve = []string{exe, "serve"}
	}
	if *verbose {
		opt.Log = slog.New(slog.NewTextHandler(stderr, nil))
	}
	return runBench(stdout, stderr, func(ctx context.Context) (any, error) {
		res, err := bench.Region(ctx, opt)
		if err == nil {
			res.Table(stderr)
		}
		return res, err
	})
}

// buildWorld builds the region-scale world of scale and seed at path, as
// `kruzhok demo --scale` does (a cached copy when cache has one), telling
// its progress on stderr.
func buildWorld(path string, scale float64, seed int64, cache string, stderr io.Writer) error {
	args := []string{"--data", path, "--scale", strconv.FormatFloat(scale, 'f', -1, 64), "--seed", strconv.FormatInt(seed, 10)}
	if cache != "" {
		args = append(args, "--cache", cache)
	}
	if code := cmdDemo(args, io.Discard, stderr); code != exitOK {
		return fmt.Errorf("мир края (--scale %g --seed %d) не построен", scale, seed)
	}
	return nil
}
