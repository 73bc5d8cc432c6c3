package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"syscall"
	"time"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
)

// loadScopes are the scopes of the many nodes: municipality nodes
// (opt.MunNodes; by default one per municipality, at most one node in 15)
// last, provider nodes spread over the providers, the largest first.
func loadScopes(w regionWorld, opt RegionOptions) (scopes []string, muns int) {
	muns = opt.MunNodes
	if muns == 0 {
		muns = min(len(w.muns), opt.Nodes/15)
	}
	muns = max(min(muns, opt.Nodes-1, len(w.muns)), 0)
	nprov := opt.Nodes - muns
	for i := range nprov {
		scopes = append(scopes, app.ProviderScope(w.providers[len(w.providers)-1-i%len(w.providers)].id))
	}
	for i := range muns {
		scopes = append(scopes, app.MunicipalityScope(w.muns[i]))
	}
	return scopes, muns
}

// invitePool holds one invite secret per planned join, by scope.
type invitePool struct {
	mu      gosync.Mutex
	secrets map[string][]string
}

// makeInvites stores an invite for each of scopes (one per join) in db.
func makeInvites(db *store.DB, scopes []string) (*invitePool, error) {
	p := &invitePool{secrets: map[string][]string{}}
	var cmds []app.Command
	for _, scope := range scopes {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		secret := hex.EncodeToString(b)
		p.secrets[scope] = append(p.secrets[scope], secret)
		cmds = append(cmds, &app.CreateInvite{Hash: sync.InviteHash(secret), Scope: scope})
	}
	return p, execAll(db, cmds)
}

// take is an unused invite secret for scope.
func (p *invitePool) take(scope string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.secrets[scope]
	if len(s) == 0 {
		return "", fmt.Errorf("no invite left for %s", scope)
	}
	p.secrets[scope] = s[1:]
	return s[0], nil
}

// startChildServer runs opt.Serve on the database at path, on a free
// loopback port, and waits until it listens.
func startChildServer(ctx context.Context, dir, path string, opt RegionOptions, log *slog.Logger) (*regionServer, error) {
	urlFile := filepath.Join(dir, "server.url")
	args := append(opt.Serve[1:len(opt.Serve):len(opt.Serve)], "--data", path, "--addr", "127.0.0.1:0", "--url-file", urlFile)
	if opt.KeyFile != "" {
		args = append(args, "--key-file", opt.KeyFile)
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(opt.Serve[0], args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("server: %w", err)
	}
	s := &regionServer{proc: cmd, exited: make(chan error, 1), wire: &Wire{}}
	go func() {
		s.exited <- cmd.Wait()
		logf.Close()
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		b, err := os.ReadFile(urlFile)
		if err == nil && strings.HasSuffix(string(b), "\n") {
			s.url = strings.TrimSpace(string(b))
			break
		}
		select {
		case err := <-s.exited:
			s.exited <- err
			tail, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return nil, fmt.Errorf("server stopped at start (%v): %s", err, lastLines(string(tail), 5))
		case <-ctx.Done():
			_ = s.stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = s.stop()
			return nil, errors.New("server did not start listening in 2 minutes")
		}
	}
	if s.fp, err = sync.StoredFingerprint(path); err != nil {
		_ = s.stop()
		return nil, err
	}
	log.Info("server started", "pid", cmd.Process.Pid, "url", s.url)
	return s, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// stop ends a child server with SIGTERM (its graceful stop), or kills it
// after 30 s. Nothing for an in-process server or one already stopped.
func (s *regionServer) stop() error {
	if s.proc == nil || s.exited == nil {
		return nil
	}
	_ = s.proc.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case err = <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.proc.Process.Kill()
		err = <-s.exited
	}
	s.exited = nil
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// memory is the server's resident set now and at its peak.
func (s *regionServer) memory() (rss, hwm int64) {
	if s.proc != nil {
		return procMemory(strconv.Itoa(s.proc.Process.Pid))
	}
	return procMemory("self")
}

// cpuSeconds is the server's user and system CPU time so far: the child's
// from /proc/<pid>/stat (in USER_HZ, 100 a second on Linux), or this
// process's.
func (s *regionServer) cpuSeconds() float64 {
	if s.proc == nil {
		return cpuSeconds()
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(s.proc.Process.Pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name may hold spaces: the fields start after its ")".
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64) // field 14 of the line
	st, _ := strconv.ParseFloat(f[12], 64) // field 15
	return (ut + st) / 100
}
