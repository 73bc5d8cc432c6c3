package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
)

func init() {
	register("invite", "  kruzhok invite [--data ФАЙЛ] --scope region|municipality:<код>|provider:<id> [--no-pin]\n"+
		"                                выдать одноразовый код приглашения узла: код для программы и он же для join (последняя строка)\n", cmdInvite)
}

// cmdInvite creates a one-time invite for a scope within the database's own
// and prints its token as the last line of stdout. On a joined node the
// invite is an op like any other: the token works once the node has synced.
// On the server's own database (server stopped) it is final at once.
func cmdInvite(args []string, stdout, stderr io.Writer) int {
	flags, _ := newFlags("invite", stderr)
	scope := flags.String("scope", "", "область нового узла: region, municipality:<код> или provider:<id>")
	days := flags.Int("days", app.InviteDays, fmt.Sprintf("сколько дней действует приглашение (1–%d)", app.MaxInviteDays))
	noPin := flags.Bool("no-pin", false, "на базе сервера с сертификатом удостоверяющего центра (serve --tls-cert): "+
		"код без отпечатка, узел проверит сервер по системным корневым сертификатам")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if *scope == "" {
		fmt.Fprintln(stderr, "kruzhok invite: укажите --scope region, municipality:<код> или provider:<id>")
		return exitUsage
	}
	if _, _, err := app.ParseScope(*scope); err != nil {
		fmt.Fprintf(stderr, "kruzhok invite: %s\n", errText(err))
		return exitUsage
	}
	db, path, code := openExisting("invite", flags, stderr)
	if db == nil {
		return code
	}
	defer db.Close()

	fingerprint := ""
	if db.Authority() {
		if !*noPin {
			fp, err := sync.StoredFingerprint(path)
			if app.ErrorCode(err) == app.ENOTFOUND {
				// The server never ran on this database: make its certificate
				// now, the one kruzhok serve will use, so the code can pin it.
				_, fp, err = sync.LoadOrCreateServerTLS(path)
				if err == nil {
					fmt.Fprintf(stderr, "kruzhok invite: создан сертификат сервера %s; kruzhok serve на этой базе "+
						"будет работать с ним (с --tls-cert код не подойдёт: тогда нужен --no-pin)\n", sync.TLSDir(path))
				}
			}
			if err != nil {
				return fail(stderr, "invite", err)
			}
			fingerprint = fp
		}
	} else {
		cfg, err := db.SyncConfig()
		if err != nil {
			return fail(stderr, "invite", err)
		}
		fingerprint = cfg.Fingerprint // the pin this node trusts; "" for a server with a CA-signed certificate
	}
	human, secret, hash, err := sync.NewCode(fingerprint)
	if err != nil {
		return fail(stderr, "invite", err)
	}
	token := sync.LongToken(fingerprint, secret)
	if _, err := db.Exec(&app.CreateInvite{Hash: hash, Scope: *scope, Days: *days}); err != nil {
		return fail(stderr, "invite", err)
	}
	if db.Authority() {
		fmt.Fprintf(stdout, "Приглашение узла области %s создано на %d дн. Код одноразовый:\n", *scope, *days)
	} else {
		fmt.Fprintf(stdout, "Приглашение узла области %s создано на этом узле и заработает после синхронизации "+
			"с сервером (kruzhok sync --once), на %d дн. со дня, когда сервер его получит. Код одноразовый:\n", *scope, *days)
	}
	fmt.Fprintf(stdout, "Код для ввода в программе (экран первого запуска, «Подключиться к РМЦ»): %s\n", human)
	fmt.Fprintln(stdout, "Тот же код для kruzhok join --token:")
	fmt.Fprintln(stdout, token)
	return exitOK
}

// openExisting opens the database of the --data of flags that must exist
// already, with its data key (--key-file and the rest: dataKeyFor); on
// failure it reports and gives nil with the exit code.
func openExisting(name string, flags *flag.FlagSet, stderr io.Writer) (*store.DB, string, int) {
	path, err := dataPath(flags.Lookup("data").Value.String())
	if err != nil {
		return nil, "", fail(stderr, name, err)
	}
	if !fileExists(path) {
		fmt.Fprintf(stderr, "kruzhok %s: нет базы данных %s\n", name, path)
		return nil, "", exitFail
	}
	opt, err := keyedOptions(path, flags, store.Options{})
	if err != nil {
		return nil, "", fail(stderr, name, err)
	}
	db, err := store.Open(path, opt)
	if errors.Is(err, store.ErrLocked) {
		fmt.Fprintf(stderr, "kruzhok %s: %s\n(если эту базу держит kruzhok serve, остановите его или выполните команду на подключённом узле)\n",
			name, errText(err))
		return nil, "", exitFail
	} else if err != nil {
		return nil, "", fail(stderr, name, err)
	}
	return db, path, exitOK
}

// fileExists reports whether path exists; an error other than "not there"
// counts as existing, so that Open reports it.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
