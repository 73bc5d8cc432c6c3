package main

import (
	"fmt"
	"io"

	"kruzhok/app"
)

func init() {
	register("digest", "  kruzhok digest [--data ФАЙЛ] [--scope ОБЛАСТЬ]\n"+
		"                                хеш данных, видимых области (по умолчанию — области узла);\n"+
		"                                после синхронизации одинаков на узле и на сервере\n", cmdDigest)
}

// cmdDigest prints the hex digest of the state a scope sees. On a node with
// ops the server has not answered yet it differs from the server's, and
// stderr says so.
func cmdDigest(args []string, stdout, stderr io.Writer) int {
	flags, _ := newFlags("digest", stderr)
	scope := flags.String("scope", "", "область: region, municipality:<код> или provider:<id>")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if *scope != "" {
		if _, _, err := app.ParseScope(*scope); err != nil {
			fmt.Fprintf(stderr, "kruzhok digest: %s\n", errText(err))
			return exitUsage
		}
	}
	db, _, code := openExisting("digest", flags, stderr)
	if db == nil {
		return code
	}
	defer db.Close()
	if *scope == "" {
		*scope = db.Scope()
	}
	d, err := db.Digest(*scope)
	if err != nil {
		return fail(stderr, "digest", err)
	}
	if !db.Authority() {
		if st, err := db.SyncState(); err == nil && st.Pending > 0 {
			fmt.Fprintf(stderr, "kruzhok digest: на узле %d операций ждут ответа сервера — хеш совпадёт с серверным после синхронизации\n", st.Pending)
		}
	}
	fmt.Fprintln(stdout, d)
	return exitOK
}
