package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
)

func init() {
	register("join", "  kruzhok join [--data ФАЙЛ] --server URL --token КОД\n"+
		"                                подключить новую базу к серверу по коду приглашения\n", cmdJoin)
}

// cmdJoin pairs a new database with a server by spending an invite token,
// pinning the server certificate the token names, and loads the scope's data.
// A join cut off during that load is resumed by running it again (or sync).
func cmdJoin(args []string, stdout, stderr io.Writer) int {
	flags, data := newFlags("join", stderr)
	server := flags.String("server", "", "адрес сервера, например https://rmc.example.ru:8443")
	token := flags.String("token", "", "код приглашения (XXXX-XXXX-… или KRZ1-…), выданный узлом области region или муниципалитета")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if *server == "" || *token == "" {
		fmt.Fprintln(stderr, "kruzhok join: укажите --server и --token")
		return exitUsage
	}
	// The invite's secret goes to this address: never in clear beyond this
	// machine, whatever the token says of the certificate.
	serverURL, err := checkServerURL(*server)
	if err != nil {
		fmt.Fprintf(stderr, "kruzhok join: %s\n", errText(err))
		return exitUsage
	}
	if _, _, err := sync.ParseToken(*token); err != nil {
		fmt.Fprintf(stderr, "kruzhok join: %s\n", errText(err))
		return exitUsage
	}
	path, err := dataPath(*data)
	if err != nil {
		return fail(stderr, "join", err)
	}
	opt, err := keyedOptions(path, flags, store.Options{})
	if err != nil {
		return fail(stderr, "join", err)
	}
	db, err := store.Open(path, opt)
	if err != nil {
		return fail(stderr, "join", err)
	}
	defer db.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg, err := db.SyncConfig()
	if err != nil {
		return fail(stderr, "join", err)
	}
	if !db.Authority() && cfg.Server == serverURL {
		// Joined already, the first load perhaps cut off: carry on from its cursor.
		c, err := sync.NewClient(db, sync.ClientFor(cfg.Server, cfg.Fingerprint))
		if err == nil {
			_, err = c.SyncOnce(ctx)
		}
		if err != nil {
			return fail(stderr, "join", fmt.Errorf("узел уже подключён к %s, загрузка не завершена: %w", serverURL, err))
		}
		fmt.Fprintf(stdout, "Узел уже подключён к серверу %s, данные загружены: область %s\n", serverURL, db.Scope())
		return exitOK
	}

	// Join has stored the server and key before asking it; the pin goes with
	// them (the certificate's full fingerprint once it was seen), so a sync
	// that resumes a cut-off join talks to the same server.
	err = sync.JoinWithToken(ctx, db, serverURL, *token)
	if err != nil {
		return fail(stderr, "join", err)
	}
	fmt.Fprintf(stdout, "Узел подключён к серверу %s: область %s\n", serverURL, db.Scope())
	return exitOK
}

// checkServerURL is the server's base URL without a trailing slash: http or
// https, a host, no query. Errors: EINVALID saying what is wrong.
func checkServerURL(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", app.Errorf(app.EINVALID, "Неверный адрес сервера «%s»: %v", s, err)
	case u.Scheme != "https" && u.Scheme != "http":
		return "", app.Errorf(app.EINVALID, "Адрес сервера должен начинаться с https:// (а не «%s»)", s)
	case u.Host == "":
		return "", app.Errorf(app.EINVALID, "В адресе сервера «%s» нет имени хоста", s)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return "", app.Errorf(app.EINVALID, "Адрес сервера «%s» — это хост и порт, без параметров и имени пользователя", s)
	}
	// An invite secret, or a batch of children's data, never in clear.
	if err := sync.CheckSecureURL(s); err != nil {
		return "", err
	}
	return s, nil
}
