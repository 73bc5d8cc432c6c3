package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"kruzhok/jobs"
	"kruzhok/store"
)

func init() {
	register("backup", "  kruzhok backup [--data ФАЙЛ] --out КОПИЯ\n"+
		"                                сжатая копия остановленной базы (работающая программа\n"+
		"                                и сервер сами делают копии каждую ночь в <каталог базы>/backups)\n", cmdBackup)
	register("restore", "  kruzhok restore --in КОПИЯ [--data ФАЙЛ]\n"+
		"                                восстановить базу из копии в новый файл --data\n", cmdRestore)
}

// cmdBackup writes a consistent zstd snapshot of a database. A database no
// process has open is read directly; a running app or server holds its file
// exclusively, so it is asked over its control socket to write the snapshot
// itself while it keeps working. --out - writes to stdout (stopped databases only).
func cmdBackup(args []string, stdout, stderr io.Writer) int {
	flags, data := newFlags("backup", stderr)
	out := flags.String("out", "", "файл копии (kruzhok-ГГГГММДД-ЧЧММСС.db.zst); - — в стандартный вывод")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if *out == "" {
		fmt.Fprintln(stderr, "kruzhok backup: укажите --out — файл копии")
		return exitUsage
	}
	path, err := dataPath(*data)
	if err != nil {
		return fail(stderr, "backup", err)
	}
	size := int64(0)
	if fi, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "kruzhok backup: нет базы данных %s\n", path)
		return exitFail
	} else if err != nil {
		return fail(stderr, "backup", err)
	} else {
		size = fi.Size()
	}

	start := time.Now()
	var n int64
	if *out == "-" {
		n, err = store.BackupPath(path, stdout, 0)
		stdout = stderr // the report goes beside the data, not into it
	} else {
		n, err = backupToNewFile(path, *out)
	}
	if errors.Is(err, store.ErrLocked) && *out != "-" {
		// The running app or server writes the snapshot from its own read
		// transaction and keeps working (jobs/control.go).
		n, err = jobs.RequestBackup(path, *out, 30*time.Minute)
		if err == nil {
			fmt.Fprintf(stdout, "копия %s сделана работающей программой: база %s → %s (%.1f%%) за %.2f с\n", *out,
				sizeText(size), sizeText(n), 100*float64(n)/float64(max(size, 1)), time.Since(start).Seconds())
			return exitOK
		} else if !errors.Is(err, jobs.ErrNoControl) {
			return fail(stderr, "backup", err)
		}
		err = store.ErrLocked
	}
	if errors.Is(err, store.ErrLocked) {
		fmt.Fprintf(stderr, "kruzhok backup: база %s открыта работающей программой Kruzhok (окно или kruzhok serve).\n"+
			"Работающая программа сама делает копию каждую ночь в 02:30 в %s (хранятся 14 последних).\n"+
			"kruzhok backup копирует остановленную базу: закройте программу и повторите.\n",
			path, filepath.Join(filepath.Dir(path), "backups"))
		return exitFail
	} else if err != nil {
		return fail(stderr, "backup", err)
	}
	fmt.Fprintf(stdout, "копия %s: база %s → %s (%.1f%%) за %.2f с\n", *out, sizeText(size), sizeText(n),
		100*float64(n)/float64(max(size, 1)), time.Since(start).Seconds())
	return exitOK
}

// backupToNewFile writes the backup of the database at path into out, which
// must not exist; a failed backup leaves no file.
func backupToNewFile(path, out string) (n int64, err error) {
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return 0, fmt.Errorf("файл %s уже существует: укажите другой --out", out)
	} else if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(out)
		}
	}()
	if n, err = store.BackupPath(path, f, 0); err != nil {
		return n, err
	}
	return n, f.Sync()
}

// cmdRestore makes a new database file from a backup. It never replaces a
// file: the user removes or moves the old one deliberately. A restored server
// database gets a new epoch, so its nodes reload from it and send again what
// it lacks. --in - reads stdin.
func cmdRestore(args []string, stdout, stderr io.Writer) int {
	flags, data := newFlags("restore", stderr)
	in := flags.String("in", "", "файл копии; - — из стандартного ввода")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if *in == "" {
		fmt.Fprintln(stderr, "kruzhok restore: укажите --in — файл копии")
		return exitUsage
	}
	path, err := dataPath(*data)
	if err != nil {
		return fail(stderr, "restore", err)
	}
	if _, err := os.Lstat(path); err == nil {
		fmt.Fprintf(stderr, "kruzhok restore: файл %s уже существует; восстановление пишет только в новый файл — "+
			"укажите другой --data или сначала переместите старую базу\n", path)
		return exitFail
	}
	var r io.Reader = os.Stdin
	var packed int64
	if *in != "-" {
		f, err := os.Open(*in)
		if err != nil {
			return fail(stderr, "restore", err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil {
			packed = fi.Size()
		}
		r = f
	}
	start := time.Now()
	if err := store.Restore(r, path); err != nil {
		return fail(stderr, "restore", err)
	}
	took := time.Since(start)
	opt, err := keyedOptions(path, flags, store.Options{})
	if err != nil {
		return fail(stderr, "restore", err)
	}
	db, err := store.Open(path, opt)
	if err != nil {
		return fail(stderr, "restore", err)
	}
	authority, scope, epoch := db.Authority(), db.Scope(), db.Epoch()
	ops, _ := db.OutboxLen()
	if err := db.Close(); err != nil {
		return fail(stderr, "restore", err)
	}
	var size int64
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	from := "копия " + sizeText(packed)
	if *in == "-" {
		from = "копия из стандартного ввода"
	}
	fmt.Fprintf(stdout, "база %s восстановлена: %s → %s за %.2f с; область %s, операций %d\n",
		path, from, sizeText(size), took.Seconds(), scope, ops)
	if authority {
		fmt.Fprintf(stdout, "новая эпоха сервера %s: узлы заново загрузят данные и отправят операции, которых нет в копии\n", epoch)
	}
	return exitOK
}

// sizeText is a byte count as people read it: 1,2 МБ.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f МБ", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f КБ", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d Б", n)
	}
}
