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

	"kruzhok/bench"
)

func init() {
	register("bench", "  kruzhok bench sync [--dir КАТАЛОГ] [--marks N] [--runs N] [--warmup N] [-v]\n"+
		"                                замеры синхронизации: байты на операцию, месяц исполнителя,\n"+
		"                                скорость применения на сервере; одним объектом JSON\n"+
		"  kruzhok bench enc [--dir КАТАЛОГ] [--children N] [--marks N] [--commands N] [-v]\n"+
		"                                цена шифрования: применение на сервере и команды рабочего места\n"+
		"                                с ключом и без, разблокировка, поиск по имени; одним объектом JSON\n", cmdBench)
}

// cmdBench runs a benchmark and prints its result as one JSON object on
// stdout. The exit code is 0 when the run completed, whether or not the
// figures meet their targets: the JSON says that ("pass").
func cmdBench(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "enc" {
		return benchEnc(args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "sync" {
		fmt.Fprintln(stderr, "kruzhok bench: укажите замер: kruzhok bench sync или kruzhok bench enc")
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
