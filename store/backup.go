package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// A backup is the bbolt file of one read transaction (bbolt's Tx.WriteTo:
// both meta pages and every page of that snapshot) as one zstd stream. It
// holds everything, the node's sync key included, so it is written 0600.

// Limits of Restore. The window bounds the decoder's memory whatever the
// stream claims (the library's default is 64 GiB); the encoder never uses a
// bigger one, so every backup Kruzhok wrote fits.
const (
	MaxRestoreSize = 16 << 30 // bytes of the restored database file
	backupWindow   = 8 << 20  // zstd window the encoder uses
	restoreWindow  = 64 << 20 // zstd window the decoder accepts
)

// ErrBackupTooLarge: the backup decompresses to more than the restore limit.
var ErrBackupTooLarge = errors.New("резервная копия больше допустимого размера (backup exceeds the restore size limit)")

// backupName matches the files of RotateBackups and BackupFileName.
var backupName = regexp.MustCompile(`^kruzhok-[0-9]{8}-[0-9]{6}\.db\.zst$`)

// BackupFileName is the name of a backup made at t, in t's location:
// kruzhok-YYYYMMDD-HHMMSS.db.zst. Names sort in time order.
func BackupFileName(t time.Time) string {
	return "kruzhok-" + t.Format("20060102-150405") + ".db.zst"
}

// Backup writes a zstd-compressed snapshot of the whole database to w and
// returns the compressed bytes written. The snapshot is one bbolt read
// transaction: writers go on while it is taken, and what it holds is the
// database as of the moment it began, whole transactions only.
func (db *DB) Backup(w io.Writer) (int64, error) {
	n, err := writeSnapshot(db.bolt, w)
	if err != nil {
		return n, fmt.Errorf("backup %s: %w", db.path, err)
	}
	return n, nil
}

// BackupPath backs up the database file at path, which no process may hold
// open, without changing it: the file is opened read-only (no migration, no
// new node id). A running Kruzhok holds its file exclusively, so a backup of
// it fails with ErrLocked after timeout (0 means 2 s); such a process makes
// its own backups (package jobs). ErrNotKruzhok for a file that is not a
// Kruzhok database, fs.ErrNotExist for a missing one.
func BackupPath(path string, w io.Writer, timeout time.Duration) (int64, error) {
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("backup %s: %w", path, err)
	}
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: timeout})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return 0, fmt.Errorf("backup %s: %w: %w", path, ErrLocked, err)
	case errors.Is(err, bolterrors.ErrInvalid):
		return 0, fmt.Errorf("backup %s: %w: %w", path, ErrNotKruzhok, err)
	case err != nil:
		return 0, fmt.Errorf("backup %s: %w", path, err)
	}
	defer bdb.Close()
	if err := isKruzhok(bdb); err != nil {
		return 0, fmt.Errorf("backup %s: %w", path, err)
	}
	n, err := writeSnapshot(bdb, w)
	if err != nil {
		return n, fmt.Errorf("backup %s: %w", path, err)
	}
	return n, nil
}

// BackupTo writes a backup to the file path, which must not exist: into a
// temporary file beside it first, synced, then linked into place, so a
// crash never leaves a partial file under a backup's name. It returns the
// compressed size. fs.ErrExist when path exists.
func (db *DB) BackupTo(path string) (int64, error) {
	var n int64
	err := writeFileAtomic(path, ".backup-", func(f *os.File) error {
		var err error
		n, err = db.Backup(f)
		return err
	})
	return n, err
}

// writeSnapshot streams one read transaction of bdb through zstd into w.
func writeSnapshot(bdb *bbolt.DB, w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	enc, err := zstd.NewWriter(cw, zstd.WithEncoderLevel(zstd.SpeedDefault),
		zstd.WithWindowSize(backupWindow), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return 0, fmt.Errorf("zstd encoder: %w", err)
	}
	err = bdb.View(func(tx *bbolt.Tx) error {
		_, err := tx.WriteTo(enc)
		return err
	})
	if err != nil {
		_ = enc.Close()
		return cw.n, err
	}
	if err := enc.Close(); err != nil {
		return cw.n, fmt.Errorf("zstd: %w", err)
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Restore makes the database file path from a backup read from r; see
// RestoreLimit. The limit is MaxRestoreSize.
func Restore(r io.Reader, path string) error { return RestoreLimit(r, path, MaxRestoreSize) }

// RestoreLimit makes the database file path from a backup read from r. It
// refuses an existing path (fs.ErrExist): the caller removes the old file
// deliberately. The stream is decompressed with the decoder's window capped,
// into a temporary file beside path; more than maxSize bytes is
// ErrBackupTooLarge. The result must open as a Kruzhok database (ErrNotKruzhok,
// ErrTooNew otherwise; an older layout is migrated) and pass the store's
// structural Check. A restored authority database gets a new epoch, so that
// its nodes notice the change, pull again from 0 and re-push what the backup
// lacks (docs/SYNC.md). Only then does the file appear at path; on any error
// nothing is left behind.
func RestoreLimit(r io.Reader, path string, maxSize int64) error {
	if err := restore(r, path, maxSize); err != nil {
		return fmt.Errorf("restore %s: %w", path, err)
	}
	return nil
}

func restore(r io.Reader, path string, maxSize int64) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("файл уже существует, удалите его или укажите другой (%w)", fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return writeFileAtomic(path, ".restore-", func(f *os.File) error {
		dec, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(restoreWindow), zstd.WithDecoderMaxWindow(restoreWindow))
		if err != nil {
			return fmt.Errorf("zstd decoder: %w", err)
		}
		defer dec.Close()
		n, err := io.Copy(f, io.LimitReader(dec, maxSize+1))
		switch {
		case errors.Is(err, zstd.ErrDecoderSizeExceeded), errors.Is(err, zstd.ErrWindowSizeExceeded):
			return fmt.Errorf("%w: %w", ErrBackupTooLarge, err)
		case err != nil:
			return fmt.Errorf("повреждённая резервная копия (corrupt backup): %w", err)
		case n > maxSize:
			return fmt.Errorf("%w: больше %d байт", ErrBackupTooLarge, maxSize)
		case n == 0:
			return fmt.Errorf("%w: резервная копия пуста (empty backup)", ErrNotKruzhok)
		}
		if err := f.Sync(); err != nil {
			return err
		}
		return checkRestored(f.Name())
	})
}

// checkRestored opens the restored file, refuses what is not a sound Kruzhok
// database, and gives an authority a new epoch.
func checkRestored(tmp string) error {
	// Open would lay out a new database in a bbolt file without our meta
	// bucket; look first.
	bdb, err := bbolt.Open(tmp, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotKruzhok, err)
	}
	err = isKruzhok(bdb)
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	db, err := Open(tmp, Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if breaches := db.Check(nil); len(breaches) > 0 {
		if len(breaches) > 5 {
			breaches = append(breaches[:5], fmt.Sprintf("… (%d)", len(breaches)))
		}
		return fmt.Errorf("резервная копия не прошла проверку (backup fails the check): %s", strings.Join(breaches, "; "))
	}
	if db.Authority() {
		if err := db.NewEpoch(); err != nil {
			return err
		}
	}
	return db.Close()
}

// isKruzhok reports ErrNotKruzhok for a bbolt file without the meta bucket.
func isKruzhok(bdb *bbolt.DB) error {
	return bdb.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return ErrNotKruzhok
		}
		return nil
	})
}

// writeFileAtomic makes path from fill: a temporary file in path's directory
// (named . + base + infix + random), synced and closed, then linked to path
// so that an existing path is never replaced (fs.ErrExist), and the
// directory synced. The temporary file is removed in every case.
func writeFileAtomic(path, infix string, fill func(f *os.File) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+infix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if f != nil {
			_ = f.Close()
		}
		_ = os.Remove(tmp)
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if err := fill(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		f = nil
		return err
	}
	f = nil
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
		// A file system without hard links: look, then rename.
		if _, serr := os.Lstat(path); serr == nil {
			return fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// RotateBackups keeps the newest keep backups in dir (files named as
// BackupFileName makes them) and removes the older ones. Other files are
// left alone. keep < 1 is refused: rotation never removes every backup.
func RotateBackups(dir string, keep int) error {
	if keep < 1 {
		return fmt.Errorf("rotate backups in %s: keep %d < 1", dir, keep)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("rotate backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && backupName.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names) // the names sort in time order
	var errs []error
	for _, name := range names[:max(0, len(names)-keep)] {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("rotate backups: %w", err)
	}
	return nil
}
