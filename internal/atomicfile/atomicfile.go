// Package atomicfile writes a file so that it holds either its old content
// or all of the new: a synced temporary file beside it, then a rename.
//
// On Windows os.Rename is MoveFileEx with MOVEFILE_REPLACE_EXISTING, which
// replaces an existing file too, but fails while another program (a virus
// scanner, the search indexer, a viewer) has the old file open; the rename is
// then retried for up to a second. Modes mean little there: Windows keeps
// only the read-only bit, and the user's folders are private by their ACLs.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Write writes data to path with perm. The rename is synced too (the
// directory), so the new file survives a power cut.
func Write(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("запись %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // gone after the rename
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("запись %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// rename is os.Rename, retried on Windows while another program holds the
// target open.
func rename(from, to string) error {
	err := os.Rename(from, to)
	for i := 0; err != nil && runtime.GOOS == "windows" && i < 20; i++ {
		time.Sleep(50 * time.Millisecond)
		err = os.Rename(from, to)
	}
	return err
}
