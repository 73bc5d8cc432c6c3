package jobs

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The control socket lets `kruzhok backup` reach a process that holds the
// database: bbolt locks the file exclusively, so another process cannot open
// it for a consistent read, but the holder can write a snapshot from one of
// its own read transactions while it keeps working. The socket is a Unix
// socket beside the database, mode 0600: only the same user reaches it.
//
// Protocol: one JSON request line {"backup": "/abs/path"}, one JSON reply
// line {"bytes": N} or {"error": "..."}.

// ControlPath is the socket of the process that holds the database at dataPath.
func ControlPath(dataPath string) string { return dataPath + ".ctl" }

type controlRequest struct {
	Backup string `json:"backup"`
}

type controlReply struct {
	Bytes int64  `json:"bytes,omitempty"`
	Error string `json:"error,omitempty"`
}

// serveControl listens on the control socket until Shutdown. A stale socket
// left by a killed process is replaced: the database lock proves that no
// other process serves this database now.
func (s *Scheduler) serveControl() error {
	path := ControlPath(s.db.Path())
	_ = os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("jobs: control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return fmt.Errorf("jobs: control socket %s: %w", path, err)
	}
	s.control = l
	s.runs.Add(1)
	go func() {
		defer s.runs.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return // closed by Shutdown
			}
			s.handleControl(conn)
		}
	}()
	return nil
}

func (s *Scheduler) handleControl(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Minute))
	var req controlRequest
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	var rep controlReply
	switch {
	case err != nil:
		rep.Error = "неполный запрос"
	case json.Unmarshal(line, &req) != nil || req.Backup == "" || !filepath.IsAbs(req.Backup):
		rep.Error = "неверный запрос: нужен абсолютный путь копии"
	default:
		start := time.Now()
		rep.Bytes, err = s.db.BackupTo(req.Backup)
		if err != nil {
			rep.Error = err.Error()
			s.log.Warn("backup on request failed", "out", req.Backup, "err", err)
		} else {
			s.log.Info("backup on request", "out", req.Backup, "bytes", rep.Bytes, "duration", time.Since(start))
		}
	}
	_ = json.NewEncoder(conn).Encode(rep)
}

// ErrNoControl means no running process answers for the database.
var ErrNoControl = errors.New("no running Kruzhok process answers for this database")

// RequestBackup asks the process that holds the database at dataPath to write
// a consistent backup to out (an absolute path that must not exist) and
// returns the bytes written. ErrNoControl when no process answers.
func RequestBackup(dataPath, out string, timeout time.Duration) (int64, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return 0, err
	}
	conn, err := net.DialTimeout("unix", ControlPath(dataPath), 5*time.Second)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNoControl, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	if err := json.NewEncoder(conn).Encode(controlRequest{Backup: abs}); err != nil {
		return 0, err
	}
	var rep controlReply
	if err := json.NewDecoder(conn).Decode(&rep); err != nil {
		return 0, fmt.Errorf("control reply: %w", err)
	}
	if rep.Error != "" {
		return 0, errors.New(rep.Error)
	}
	return rep.Bytes, nil
}
