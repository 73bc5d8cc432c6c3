package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"kruzhok/app"
	"kruzhok/internal/atomicfile"
	"kruzhok/store"
	"kruzhok/sync"
	"kruzhok/web"
)

func init() {
	register("serve", "  kruzhok serve [--data ФАЙЛ] [--addr ХОСТ:ПОРТ] [--tls-cert ФАЙЛ --tls-key ФАЙЛ]\n"+
		"                [--init-token-file ФАЙЛ] [--url-file ФАЙЛ] [--insecure-http]\n"+
		"                                региональный сервер (РМЦ): синхронизация узлов по HTTPS\n", cmdServe)
}

// shutdownTimeout is how long a stopping server waits for requests in flight.
const shutdownTimeout = 15 * time.Second

// cmdServe runs the regional server on an authority database until SIGTERM
// or SIGINT: the sync API over HTTPS with a pinned self-signed certificate
// (or --tls-cert), the server jobs, and JSON logs on stderr. The first start
// seeds the reference data and prints a one-time region invite.
func cmdServe(args []string, stdout, stderr io.Writer) int {
	flags, data := newFlags("serve", stderr)
	addr := flags.String("addr", ":8443", "адрес и порт сервера; порт 0 — любой свободный (см. --url-file)")
	certFile := flags.String("tls-cert", "", "сертификат, выданный удостоверяющим центром (PEM), вместо самоподписанного")
	keyFile := flags.String("tls-key", "", "ключ к --tls-cert (PEM)")
	insecure := flags.Bool("insecure-http", false, "HTTP без шифрования: только на петлевом адресе, для проверок")
	tokenFile := flags.String("init-token-file", "", "файл, куда при первом запуске записать код приглашения области region")
	urlFile := flags.String("url-file", "", "файл, куда записать адрес запущенного сервера (https://хост:порт)")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if (*certFile == "") != (*keyFile == "") {
		fmt.Fprintln(stderr, "kruzhok serve: --tls-cert и --tls-key указывают вместе")
		return exitUsage
	}
	if *insecure && *certFile != "" {
		fmt.Fprintln(stderr, "kruzhok serve: --insecure-http и --tls-cert исключают друг друга")
		return exitUsage
	}
	if *insecure && !loopback(*addr) {
		fmt.Fprintf(stderr, "kruzhok serve: --insecure-http разрешён только на петлевом адресе (127.0.0.1, ::1, localhost), "+
			"а указан «%s»: узлы передают серверу данные детей, по сети — только HTTPS "+
			"(--insecure-http is allowed on a loopback address only)\n", *addr)
		return exitUsage
	}
	path, err := dataPath(*data)
	if err != nil {
		return fail(stderr, "serve", err)
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil)).With("cmd", "serve")
	// From here a signal stops the server gracefully, even one that comes
	// before it listens.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opt, err := keyedOptions(path, flags, store.Options{})
	if err != nil {
		return fail(stderr, "serve", err)
	}
	db, err := store.Open(path, opt)
	if err != nil {
		return fail(stderr, "serve", err)
	}
	defer db.Close() // closed already on the normal way out; a second Close is harmless
	if !db.Authority() || db.Scope() != app.ScopeRegion {
		cfg, _ := db.SyncConfig()
		fmt.Fprintf(stderr, "kruzhok serve: база %s — узел области %s, подключённый к серверу %s; "+
			"сервер работает только на своей базе (новой или демо-регионе), а не на базе узла "+
			"(the database is a joined node, not a server database)\n", path, db.Scope(), cfg.Server)
		return exitFail
	}
	if err := seedIfEmpty(db); err != nil {
		return fail(stderr, "serve", fmt.Errorf("справочники: %w", err))
	}

	var cert tls.Certificate
	fingerprint := "" // none in tokens: a CA-signed certificate or plain loopback HTTP
	switch {
	case *insecure:
	case *certFile != "":
		if cert, err = tls.LoadX509KeyPair(*certFile, *keyFile); err != nil {
			return fail(stderr, "serve", fmt.Errorf("сертификат %s и ключ %s: %w", *certFile, *keyFile, err))
		}
	default:
		if cert, fingerprint, err = sync.LoadOrCreateServerTLS(path); err != nil {
			return fail(stderr, "serve", err)
		}
	}
	// The key batch files are sealed to, kept beside the TLS key whatever
	// the transport: a stick is read offline, not on the wire.
	seal, err := sync.LoadOrCreateSealKey(path)
	if err != nil {
		return fail(stderr, "serve", err)
	}
	if err := ensureRegionInvite(db, fingerprint, *tokenFile, stdout, log); err != nil {
		return fail(stderr, "serve", err)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(stderr, "serve", fmt.Errorf("адрес %s: %w", *addr, err))
	}
	scheme := "https"
	if *insecure {
		scheme = "http"
	}
	url := scheme + "://" + ln.Addr().String()
	if *urlFile != "" {
		if err := atomicfile.Write(*urlFile, []byte(url+"\n"), 0o644); err != nil {
			_ = ln.Close()
			return fail(stderr, "serve", err)
		}
	}
	// The sync API keeps /v1/...; the public catalogue serves everything else.
	mux := http.NewServeMux()
	api := sync.NewServer(db, log)
	api.SetSealKey(seal)
	mux.Handle("/v1/", api.Handler())
	mux.Handle("/", web.New(db, log.With("part", "catalogue")))
	hs := &http.Server{
		Handler:  mux,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Header and idle timeouts, the header limit, and a minimum body rate
	// for every route (docs/SYNC.md, Limits): a slow client is cut.
	sync.ConfigureHTTP(hs, sync.DefaultLimits())
	ln = sync.LimitListener(ln, sync.MaxConns)
	if !*insecure {
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	// The server jobs: month close, downgrade, roll-over, nightly backup.
	sched, err := startScheduler(db, log, nil)
	if err != nil {
		_ = ln.Close()
		return fail(stderr, "serve", err)
	}
	served := make(chan error, 1)
	go func() {
		if *insecure {
			served <- hs.Serve(ln)
		} else {
			served <- hs.ServeTLS(ln, "", "")
		}
	}()
	log.Info("serving", "url", url, "data", path, "epoch", db.Epoch(), "fingerprint", fingerprint, "version", version)

	code := exitOK
	select {
	case <-ctx.Done():
		log.Info("stopping", "reason", "signal")
	case err := <-served:
		log.Error("server failed", "err", err)
		code = exitFail
	}
	stop() // a second signal now kills at once
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("requests cut at shutdown", "err", err)
		_ = hs.Close()
	}
	if err := sched.Shutdown(); err != nil {
		log.Warn("jobs shutdown", "err", err)
	}
	if err := db.Close(); err != nil {
		log.Error("close database", "err", err)
		code = exitFail
	}
	log.Info("stopped")
	return code
}

// loopback reports whether addr (host:port) names a loopback interface only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ensureRegionInvite makes the one-time region invite of a server that has
// never invited anyone, so its operator can join the first (region) node; a
// server that has any invite, spent or not, gets none. The token goes to
// tokenFile (0600) before the invite is stored: a start cut off in between
// leaves a token that does not work yet, and the next start, still seeing no
// invite, writes a new one.
func ensureRegionInvite(db *store.DB, fingerprint, tokenFile string, stdout io.Writer, log *slog.Logger) error {
	invited := false
	err := db.View(func(r app.Reader) error {
		return r.Scan(app.KindInvite, "", "", func(string) bool { invited = true; return false })
	})
	if err != nil || invited {
		return err
	}
	token, _, hash, err := sync.NewToken(fingerprint)
	if err != nil {
		return err
	}
	if tokenFile != "" {
		if err := os.MkdirAll(filepath.Dir(tokenFile), 0o700); err != nil {
			return err
		}
		if err := atomicfile.Write(tokenFile, []byte(token+"\n"), 0o600); err != nil {
			return err
		}
	}
	if _, err := db.Exec(&app.CreateInvite{Hash: hash, Scope: app.ScopeRegion}); err != nil {
		return fmt.Errorf("приглашение области region: %w", err)
	}
	log.Info("region invite created", "token_file", tokenFile)
	fmt.Fprintf(stdout, "Одноразовый код приглашения узла области region (kruzhok join --server <адрес> --token <код>):\n%s\n", token)
	return nil
}
