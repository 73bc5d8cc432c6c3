package jobs

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"kruzhok/internal/atomicfile"
)

// The control socket lets `kruzhok backup` reach a process that holds the
// database: bbolt locks the file exclusively, so another process cannot open
// it for a consistent read, but the holder can write a snapshot from one of
// its own read transactions while it keeps working.
//
// On Linux (and any Unix) the control point is a Unix socket beside the
// database, mode 0600: only the same user reaches it. On Windows it is a
// loopback TCP port with a token: Wine does not offer AF_UNIX sockets, and a
// named pipe would need a Windows-only dependency, while loopback TCP works
// the same on every system (and so is tested on Linux too). The file beside
// the database then holds "127.0.0.1:port" and a random 256-bit token, one
// per line; it lives in the user's %AppData%, which only that user (and
// administrators) can read, and a request without the token is refused.
//
// Protocol: one JSON request line {"backup": "/abs/path", "token": "..."},
// one JSON reply line {"bytes": N} or {"error": "..."}.

// ControlPath is the control point of the process that holds the database
// at dataPath: the Unix socket, or on Windows the file naming the loopback
// port and its token.
func ControlPath(dataPath string) string { return dataPath + ".ctl" }

// controlTCP chooses loopback TCP with a token over a Unix socket; tests
// on Linux switch it on to exercise the Windows transport.
var controlTCP = runtime.GOOS == "windows"

type controlRequest struct {
	Backup string `json:"backup"`
	Token  string `json:"token,omitempty"`
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
	var l net.Listener
	var token string
	var err error
	if controlTCP {
		l, token, err = listenControlTCP(path)
	} else {
		l, err = listenControlUnix(path)
	}
	if err != nil {
		return fmt.Errorf("jobs: control point %s: %w", path, err)
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
			s.handleControl(conn, token)
		}
	}()
	return nil
}

// listenControlUnix listens on a Unix socket at path, mode 0600.
func listenControlUnix(path string) (net.Listener, error) {
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// listenControlTCP listens on a random loopback port and writes its address
// and a fresh random token to the file at path (mode 0600).
func listenControlTCP(path string) (net.Listener, string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, "", err
	}
	token := hex.EncodeToString(b[:])
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	if err := atomicfile.Write(path, []byte(l.Addr().String()+"\n"+token+"\n"), 0o600); err != nil {
		l.Close()
		return nil, "", err
	}
	return l, token, nil
}

// handleControl answers one request; token is what a request must carry
// (empty for the Unix socket, whose file mode already admits only the user).
func (s *Scheduler) handleControl(conn net.Conn, token string) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Minute))
	var req controlRequest
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	var rep controlReply
	switch {
	case err != nil:
		rep.Error = "неполный запрос"
	case json.Unmarshal(line, &req) != nil:
		rep.Error = "неверный запрос"
	case subtle.ConstantTimeCompare([]byte(req.Token), []byte(token)) != 1:
		rep.Error = "неверный ключ доступа к работающей программе"
		s.log.Warn("control request with a wrong token refused")
	case req.Backup == "" || !filepath.IsAbs(req.Backup):
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
	conn, token, err := dialControl(ControlPath(dataPath))
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNoControl, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	if err := json.NewEncoder(conn).Encode(controlRequest{Backup: abs, Token: token}); err != nil {
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

// dialControl connects to the control point at path and returns the token
// a request must carry.
func dialControl(path string) (net.Conn, string, error) {
	if !controlTCP {
		conn, err := net.DialTimeout("unix", path, 5*time.Second)
		return conn, "", err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	addr, token, ok := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if !ok || token == "" {
		return nil, "", fmt.Errorf("%s: damaged control file", path)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		return nil, "", fmt.Errorf("%s: not a loopback address: %q", path, addr)
	}
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	return conn, strings.TrimSpace(token), err
}
