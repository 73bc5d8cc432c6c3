package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"kruzhok/app"
	"kruzhok/internal/atomicfile"
	"kruzhok/jobs"
	"kruzhok/store"
	"kruzhok/sync"
)

func init() {
	register("sync", "  kruzhok sync [--data ФАЙЛ] [--once]\n"+
		"                                синхронизировать узел с сервером: раз (--once, итог одной строкой JSON)\n"+
		"                                или каждые 5 минут, пока не остановят\n"+
		"  kruzhok sync --results [--rejected] [--data ФАЙЛ]\n"+
		"                                состояние синхронизации и решение сервера по каждой операции узла\n"+
		"  kruzhok sync --deliver ФАЙЛ --server URL [--token-fingerprint HEX]\n"+
		"                                доставить на сервер файл пакета (export --batch) с любой машины со связью\n", cmdSync)
	register("export", "  kruzhok export --batch ФАЙЛ [--data ФАЙЛ]\n"+
		"                                выгрузить неотправленные операции узла в подписанный файл пакета,\n"+
		"                                зашифрованный для сервера узла\n", cmdExport)
}

// exportKinds are the document exports, `kruzhok export <kind> ...` (pdf,
// xlsx, csv): each cli_export_*.go file adds its kind in init, with its
// usage lines added through addUsage.
var exportKinds = map[string]func(args []string, stdout, stderr io.Writer) int{}

// maxOnceRounds bounds sync --once: one round sends and fetches everything;
// more are needed only when ops appear during a round.
const maxOnceRounds = 5

// cmdSync syncs a joined node: once, or on the schedule until SIGTERM; or,
// with --deliver, hands a batch file to a server on behalf of its node.
func cmdSync(args []string, stdout, stderr io.Writer) int {
	flags, data := newFlags("sync", stderr)
	once := flags.Bool("once", false, "один раз: отправить и получить всё, напечатать итог строкой JSON")
	deliver := flags.String("deliver", "", "файл пакета (kruzhok export --batch) для доставки на сервер")
	server := flags.String("server", "", "адрес сервера для --deliver")
	pin := flags.String("token-fingerprint", "", "отпечаток сертификата сервера для --deliver (часть кода приглашения "+
		"между KRZ1- и секретом); без него — проверка по корневым сертификатам системы")
	results := flags.Bool("results", false, "показать состояние и результат каждой операции узла (строки JSON)")
	rejected := flags.Bool("rejected", false, "с --results: только отклонённые сервером")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if *results {
		return printResults(flags, *rejected, stdout, stderr)
	}
	if *deliver != "" {
		if *once || *data != "" {
			fmt.Fprintln(stderr, "kruzhok sync: --deliver не использует базу: без --data и --once")
			return exitUsage
		}
		return deliverBatch(*deliver, *server, *pin, stdout, stderr)
	}
	if *server != "" || *pin != "" {
		fmt.Fprintln(stderr, "kruzhok sync: --server и --token-fingerprint — только с --deliver; адрес сервера узла задан при join")
		return exitUsage
	}
	db, _, code := openExisting("sync", flags, stderr)
	if db == nil {
		return code
	}
	defer db.Close()
	c, err := nodeClient(db)
	if err != nil {
		return fail(stderr, "sync", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if !*once {
		log := slog.New(slog.NewJSONHandler(stderr, nil)).With("cmd", "sync")
		sched, err := startScheduler(db, log, syncJob(c, log))
		if err != nil {
			return fail(stderr, "sync", err)
		}
		log.Info("syncing", "server", c.Server, "scope", db.Scope())
		<-ctx.Done()
		log.Info("stopping", "reason", "signal")
		if err := sched.Shutdown(); err != nil {
			return fail(stderr, "sync", err)
		}
		return exitOK
	}

	var total sync.Report
	for round := 1; ; round++ {
		rep, err := c.SyncOnce(ctx)
		total.Pushed += rep.Pushed
		total.Applied += rep.Applied
		total.Rejected += rep.Rejected
		total.Pulled += rep.Pulled
		total.DigestMatch = rep.DigestMatch
		if err != nil {
			return fail(stderr, "sync", err)
		}
		st, err := db.SyncState()
		if err != nil {
			return fail(stderr, "sync", err)
		}
		if st.Pending == 0 || rep.Pushed == 0 || round == maxOnceRounds {
			break
		}
	}
	line, err := json.Marshal(total)
	if err != nil {
		return fail(stderr, "sync", err)
	}
	fmt.Fprintf(stdout, "%s\n", line)
	return exitOK
}

// nodeClient is the sync client of a joined node database, with the pin of
// its server. Errors: ENOTFOUND for a database that never joined, EINVALID
// for one whose join was cut off before the server answered.
func nodeClient(db *store.DB) (*sync.Client, error) {
	cfg, err := db.SyncConfig()
	if err != nil {
		return nil, err
	}
	if db.Authority() {
		if cfg.Server != "" {
			return nil, app.Errorf(app.EINVALID, "Подключение к серверу %s не завершено: повторите kruzhok join", cfg.Server)
		}
		return nil, app.Errorf(app.ENOTFOUND, "База не подключена к серверу: это база сервера или отдельного региона "+
			"(узел подключают командой kruzhok join)")
	}
	return sync.NewClient(db, sync.ClientFor(cfg.Server, cfg.Fingerprint))
}

// startScheduler starts the process's one job scheduler (jobs.New: the
// nightly backup, and the server jobs on an authority database) with the
// node's sync when syncFn is given: every 5 minutes, backing off on failure,
// and a first one within seconds rather than after the first interval.
func startScheduler(db *store.DB, log *slog.Logger, syncFn func(context.Context) error) (*jobs.Scheduler, error) {
	s, err := jobs.New(db, log, jobs.Options{})
	if err != nil {
		return nil, err
	}
	if syncFn != nil {
		if err := s.AddSync(syncFn); err != nil {
			_ = s.Shutdown()
			return nil, err
		}
	}
	s.Start()
	s.Kick()
	return s, nil
}

// syncJob is the scheduler's sync of a node: one round, logged.
func syncJob(c *sync.Client, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		rep, err := c.SyncOnce(ctx)
		if err != nil {
			log.Warn("sync failed", "err", err, "code", app.ErrorCode(err))
			return err
		}
		log.Info("synced", "pushed", rep.Pushed, "applied", rep.Applied, "rejected", rep.Rejected,
			"pulled", rep.Pulled, "digest_match", rep.DigestMatch)
		return nil
	}
}

// deliverReply is the JSON that sync --deliver prints: the server's reply
// as docs/SYNC.md has it.
type deliverReply struct {
	AckedThrough uint64          `json:"acked_through"`
	NeedFrom     uint64          `json:"need_from,omitempty"`
	Results      []deliverResult `json:"results"`
}

type deliverResult struct {
	Seq     uint64 `json:"seq"`
	Status  string `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// deliverBatch posts a batch file to the server and prints the reply. The
// signature inside the file names the node; the results also reach that
// node on its next sync.
func deliverBatch(file, server, pin string, stdout, stderr io.Writer) int {
	if server == "" {
		fmt.Fprintln(stderr, "kruzhok sync: для --deliver укажите --server")
		return exitUsage
	}
	serverURL, err := checkServerURL(server)
	if err != nil {
		fmt.Fprintf(stderr, "kruzhok sync: %s\n", errText(err))
		return exitUsage
	}
	if st, err := os.Stat(file); err != nil {
		return fail(stderr, "sync", err)
	} else if st.Size() > int64(sync.MaxSealed) {
		fmt.Fprintf(stderr, "kruzhok sync: %s больше пакета (%d байт): это не файл пакета\n", file, sync.MaxSealed)
		return exitFail
	}
	frame, err := os.ReadFile(file)
	if err != nil {
		return fail(stderr, "sync", err)
	}
	// A sealed file is opaque here: only its node's key is in clear.
	if sync.IsSealed(frame) {
		pub, _, err := sync.SealedHeader(frame)
		if err != nil {
			return fail(stderr, "sync", fmt.Errorf("%s: %w", file, err))
		}
		fmt.Fprintf(stderr, "Зашифрованный пакет узла с ключом %x…: прочесть его может только сервер\n", []byte(pub[:8]))
	} else if _, b, err := sync.DecodeBatch(frame); err != nil {
		return fail(stderr, "sync", fmt.Errorf("%s: %w", file, err))
	} else {
		fmt.Fprintf(stderr, "Пакет узла %s: операции №%d–%d (файл не зашифрован: его выгрузила прежняя версия)\n", b.Node, b.First, b.Last)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	reply, err := sync.Deliver(ctx, sync.ClientFor(serverURL, pin), serverURL, frame)
	if err == nil || reply.NeedFrom > 0 {
		out := deliverReply{AckedThrough: reply.AckedThrough, NeedFrom: reply.NeedFrom, Results: []deliverResult{}}
		for _, r := range reply.Results {
			out.Results = append(out.Results, deliverResult{Seq: r.Seq, Status: r.Status, Code: r.Code,
				Message: r.Message, Detail: r.Detail})
		}
		line, jerr := json.Marshal(out)
		if jerr != nil {
			return fail(stderr, "sync", jerr)
		}
		fmt.Fprintf(stdout, "%s\n", line)
	}
	if err != nil {
		return fail(stderr, "sync", err)
	}
	return exitOK
}

// cmdExport writes the node's pending ops as a signed batch file sealed to
// its server's key, for delivery from another machine (sync --deliver).
func cmdExport(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if fn, ok := exportKinds[args[0]]; ok {
			return fn(args[1:], stdout, stderr)
		}
	}
	flags, _ := newFlags("export", stderr)
	batch := flags.String("batch", "", "файл пакета, куда выгрузить неотправленные операции")
	if !parse(flags, args, stderr) {
		return exitUsage
	}
	if *batch == "" {
		fmt.Fprintln(stderr, "kruzhok export: укажите --batch ФАЙЛ")
		return exitUsage
	}
	db, _, code := openExisting("export", flags, stderr)
	if db == nil {
		return code
	}
	defer db.Close()
	c, err := nodeClient(db)
	if err != nil {
		return fail(stderr, "export", err)
	}
	frame, b, err := sync.ExportSealed(db, c.Key)
	if err != nil {
		return fail(stderr, "export", err)
	}
	if err := atomicfile.Write(*batch, frame, 0o600); err != nil {
		return fail(stderr, "export", err)
	}
	deliver := "kruzhok sync --deliver " + *batch + " --server " + c.Server
	if cfg, err := db.SyncConfig(); err == nil && cfg.Fingerprint != "" {
		deliver += " --token-fingerprint " + cfg.Fingerprint
	}
	fmt.Fprintf(stdout, "Операций выгружено: %d (№%d–%d), %d байт, в %s.\n"+
		"Доставьте файл с любой машины со связью:\n  %s\n"+
		"Результаты придут на узел при следующей синхронизации.\n",
		len(b.Ops), b.First, b.Last, len(frame), *batch, deliver)
	return exitOK
}

// printResults prints the node's sync state and then, newest first, each of
// its ops with what the server decided (pending, applied, rejected with the
// code and the Russian reason), one JSON object a line.
func printResults(flags *flag.FlagSet, onlyRejected bool, stdout, stderr io.Writer) int {
	db, _, code := openExisting("sync", flags, stderr)
	if db == nil {
		return code
	}
	defer db.Close()
	st, err := db.SyncState()
	if err != nil {
		return fail(stderr, "sync", err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	last := ""
	if !st.LastSync.IsZero() {
		last = st.LastSync.Format("2006-01-02T15:04:05Z07:00")
	}
	_ = enc.Encode(stateLine{Scope: db.Scope(), LastSync: last, Pending: st.Pending,
		Rejected: st.Rejected, LastError: st.LastError})
	rs, err := db.OpResults(onlyRejected, 1000)
	if err != nil {
		return fail(stderr, "sync", err)
	}
	for _, r := range rs {
		status := r.Result.Status
		if r.Pending || status == "" {
			status = store.StatusPending
		}
		_ = enc.Encode(opLine{Seq: r.Op.Seq, Op: r.Op.Type, Status: status,
			Code: r.Result.Code, Message: r.Result.Message, Detail: r.Result.Detail})
	}
	return exitOK
}

// stateLine and opLine are the JSON lines of sync --results.
type stateLine struct {
	Scope     string `json:"scope"`
	LastSync  string `json:"last_sync"`
	Pending   int    `json:"pending"`
	Rejected  int    `json:"rejected"`
	LastError string `json:"last_error"`
}

type opLine struct {
	Seq     uint64 `json:"seq"`
	Op      string `json:"op"`
	Status  string `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	Detail  string `json:"detail,omitempty"`
}
