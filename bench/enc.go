package bench

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/keys"
	"kruzhok/store"
	"kruzhok/sync"
)

// The cost of encryption at rest (issue 10, docs/SECURITY.md): each figure
// is measured plaintext and sealed side by side in one run, on copies of the
// same database, so that both see the same disk and the same moment of a
// shared machine.

// Targets of issue 10.
const (
	TargetSealedApplyPctMin = 85   // sealed server apply rate, % of plaintext (the seal costs ≤ 15 %)
	TargetSealedCmdPctMax   = 115  // sealed desktop command latency, % of plaintext
	TargetUnlockSeconds     = 1.0  // keys.Open with the default argon2id parameters
	TargetSearchMs          = 50.0 // one keystroke of the name search, 100 000 children, sealed
)

// EncOptions of Encryption; zero fields take the defaults.
type EncOptions struct {
	Dir      string // working directory; default a temporary one, removed after
	Marks    int    // ops the servers apply; default 4 000
	Commands int    // desktop commands timed on each database; default 200
	Children int    // children of the name-search database; default 100 000
	Unlocks  int    // keys.Open runs; default 3
	Log      *slog.Logger
}

// EncResult is the JSON object `kruzhok bench enc` prints.
type EncResult struct {
	ApplyOps              int     `json:"apply_ops"`
	ApplyOpsPerSecPlain   float64 `json:"apply_ops_per_s_plain"`  // ApplyRemote, fsync on
	ApplyOpsPerSecSealed  float64 `json:"apply_ops_per_s_sealed"` // the same batches on a sealed copy
	ApplySealedPctOfPlain float64 `json:"apply_sealed_pct_of_plain"`

	CommandOp             string  `json:"command_op"` // one Exec, one transaction, fsync on
	Commands              int     `json:"commands"`
	CommandMsPlainMedian  float64 `json:"command_ms_plain_median"`
	CommandMsSealedMedian float64 `json:"command_ms_sealed_median"`
	CommandMsPlainP95     float64 `json:"command_ms_plain_p95"`
	CommandMsSealedP95    float64 `json:"command_ms_sealed_p95"`
	CommandSealedPct      float64 `json:"command_sealed_pct_of_plain"` // of the medians

	UnlockSeconds    float64     `json:"unlock_s_median"`
	UnlockSecondsMax float64     `json:"unlock_s_max"`
	UnlockRuns       int         `json:"unlock_runs"`
	UnlockParams     keys.Params `json:"unlock_params"`

	SearchChildren     int            `json:"search_children"`
	SearchBuildSeconds float64        `json:"search_build_s"` // ExecBatch of 5 000 per transaction, NoSync, sealed
	SearchFileBytes    int64          `json:"search_file_bytes"`
	SearchPlainBytes   int64          `json:"search_plain_file_bytes"` // the plaintext twin
	SearchLimit        int            `json:"search_limit"`            // the desktop's (ui searchLimit)
	Search             []SearchFigure `json:"search"`
	SearchMsMax        float64        `json:"search_ms_max"` // the slowest prefix's median

	Targets struct {
		ApplyPctMin   float64 `json:"apply_sealed_pct_of_plain_min"`
		CommandPctMax float64 `json:"command_sealed_pct_of_plain_max"`
		UnlockSMax    float64 `json:"unlock_s_max"`
		SearchMsMax   float64 `json:"search_ms_max"`
	} `json:"targets"`
	Pass struct {
		Apply   bool `json:"apply"`
		Command bool `json:"command"`
		Unlock  bool `json:"unlock"`
		Search  bool `json:"search"`
		All     bool `json:"all"`
	} `json:"pass"`

	Go      string  `json:"go"`
	CPUs    int     `json:"cpus"`
	Seconds float64 `json:"seconds"`
}

// SearchFigure is one keystroke: the prefix typed so far.
type SearchFigure struct {
	Prefix   string  `json:"prefix"`
	Found    int     `json:"found"`
	MsMedian float64 `json:"ms_median"`
	MsMax    float64 `json:"ms_max"`
	// The same query on a plaintext database of the same children: what
	// the seal adds.
	MsPlainMedian float64 `json:"ms_plain_median"`
}

// searchLimit is the desktop's limit of a name search (ui/provider_children.go).
const searchLimit = 50

// Encryption runs the encryption figures.
func Encryption(ctx context.Context, opt EncOptions) (EncResult, error) {
	var res EncResult
	t0 := time.Now()
	if opt.Marks <= 0 {
		opt.Marks = 4000
	}
	if opt.Commands <= 0 {
		opt.Commands = 200
	}
	if opt.Children <= 0 {
		opt.Children = 100_000
	}
	if opt.Unlocks <= 0 {
		opt.Unlocks = 3
	}
	log := logOr(opt.Log)
	dir, done, err := workDir(opt.Dir, "kruzhok-bench-enc-")
	if err != nil {
		return res, err
	}
	defer done()
	if err := encApply(ctx, dir, opt, log, &res); err != nil {
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := encUnlock(dir, opt, log, &res); err != nil {
		return res, err
	}
	if err := encSearch(ctx, dir, opt, log, &res); err != nil {
		return res, err
	}
	res.Targets.ApplyPctMin, res.Targets.CommandPctMax = TargetSealedApplyPctMin, TargetSealedCmdPctMax
	res.Targets.UnlockSMax, res.Targets.SearchMsMax = TargetUnlockSeconds, TargetSearchMs
	res.Pass.Apply = res.ApplySealedPctOfPlain >= TargetSealedApplyPctMin
	res.Pass.Command = res.CommandSealedPct <= TargetSealedCmdPctMax
	res.Pass.Unlock = res.UnlockSeconds <= TargetUnlockSeconds
	res.Pass.Search = res.SearchMsMax <= TargetSearchMs
	res.Pass.All = res.Pass.Apply && res.Pass.Command && res.Pass.Unlock && res.Pass.Search
	res.Go, res.CPUs = runtime.Version(), runtime.NumCPU()
	res.Seconds = time.Since(t0).Seconds()
	return res, nil
}

func newDataKey() []byte {
	k := make([]byte, keys.KeySize)
	_, _ = crand.Read(k)
	return k
}

// copyDB copies db's file to path, a consistent snapshot.
func copyDB(db *store.DB, path string) error {
	return db.Bolt().View(func(tx *bbolt.Tx) error { return tx.CopyFile(path, 0o600) })
}

// encApply: a provider node records opt.Marks marks; the server's database is
// copied and the copy sealed; the node's batches are applied to both,
// alternately, fsync on. Then the node's database is copied twice, one copy
// sealed, and the same October marks run on each, one Exec at a time.
func encApply(ctx context.Context, dir string, opt EncOptions, log *slog.Logger, res *EncResult) error {
	log.Info("building the world: server, provider, children, contracts")
	srv, err := NewServer(filepath.Join(dir, "plain"), WorldOptions{})
	if err != nil {
		return err
	}
	defer srv.Close()
	prov := srv.Providers[0]
	node, err := srv.Join(ctx, filepath.Join(dir, "provider.db"), app.ProviderScope(prov.ID), srv.Client())
	if err != nil {
		return fmt.Errorf("join: %w", err)
	}
	defer node.DB.Close()
	rnd := rand.New(rand.NewPCG(1, 2))
	srv.Clock.Set(app.MustDate("2026-09-30"))
	marks := MarkCommands(prov.Groups, Lessons(app.MonthOf(2026, time.September)), nil, rnd)
	if len(marks) < opt.Marks {
		return fmt.Errorf("the world has %d marks in September, fewer than %d", len(marks), opt.Marks)
	}
	if err := execAll(node.DB, marks[:opt.Marks]); err != nil {
		return fmt.Errorf("marks: %w", err)
	}

	log.Info("sealing a copy of the server's database")
	sealedPath := filepath.Join(dir, "sealed", "server.db")
	if err := os.MkdirAll(filepath.Dir(sealedPath), 0o700); err != nil {
		return err
	}
	if err := copyDB(srv.DB, sealedPath); err != nil {
		return err
	}
	sealed, err := store.Open(sealedPath, store.Options{Now: srv.Clock.Now, DataKey: newDataKey()})
	if err != nil {
		return err
	}
	defer sealed.Close()

	log.Info("apply", "ops", opt.Marks)
	var plainT, sealedT time.Duration
	for next := uint64(1); ; {
		ops, err := node.DB.Outbox(next, sync.MaxOps)
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			break
		}
		frame, err := sync.EncodeBatch(node.Client.Key, sync.NewBatch(node.DB.Node(), ops))
		if err != nil {
			return err
		}
		pub, b, err := sync.DecodeBatch(frame)
		if err != nil {
			return err
		}
		for i, db := range []*store.DB{srv.DB, sealed} {
			n, err := db.NodeByKey(pub)
			if err != nil {
				return err
			}
			t := time.Now()
			_, results, needFrom, err := db.ApplyRemote(n, b.Ops)
			d := time.Since(t)
			if err != nil {
				return err
			}
			if needFrom != 0 {
				return fmt.Errorf("server needs ops from %d", needFrom)
			}
			for _, r := range results {
				if r.Status != store.StatusApplied {
					return fmt.Errorf("op %d rejected: %s %s", r.Seq, r.Code, r.Message)
				}
			}
			if i == 0 {
				plainT += d
			} else {
				sealedT += d
			}
		}
		res.ApplyOps += len(ops)
		next = ops[len(ops)-1].Seq + 1
	}
	res.ApplyOpsPerSecPlain = float64(res.ApplyOps) / plainT.Seconds()
	res.ApplyOpsPerSecSealed = float64(res.ApplyOps) / sealedT.Seconds()
	res.ApplySealedPctOfPlain = 100 * res.ApplyOpsPerSecSealed / res.ApplyOpsPerSecPlain

	// The desktop: the teacher's marks of October, one Exec each.
	log.Info("desktop commands", "n", opt.Commands)
	srv.Clock.Set(app.MustDate("2026-10-31"))
	month := MarkCommands(prov.Groups, Lessons(app.MonthOf(2026, time.October)), nil, rnd)
	if len(month) < opt.Commands {
		return fmt.Errorf("the world has %d marks in October, fewer than %d", len(month), opt.Commands)
	}
	var dbs [2]*store.DB
	for i, name := range []string{"desktop-plain.db", "desktop-sealed.db"} {
		path := filepath.Join(dir, name)
		if err := copyDB(node.DB, path); err != nil {
			return err
		}
		o := store.Options{Now: srv.Clock.Now}
		if i == 1 {
			o.DataKey = newDataKey()
		}
		db, err := store.Open(path, o)
		if err != nil {
			return err
		}
		defer db.Close()
		dbs[i] = db
	}
	var lat [2][]float64
	for _, cmd := range month[:opt.Commands] {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i, db := range dbs {
			t := time.Now()
			if _, err := db.Exec(cmd); err != nil {
				return fmt.Errorf("desktop %s: %w", cmd.Op(), err)
			}
			lat[i] = append(lat[i], ms(time.Since(t)))
		}
	}
	res.CommandOp, res.Commands = month[0].Op(), opt.Commands
	res.CommandMsPlainMedian, res.CommandMsPlainP95 = quantile(lat[0], 0.5), quantile(lat[0], 0.95)
	res.CommandMsSealedMedian, res.CommandMsSealedP95 = quantile(lat[1], 0.5), quantile(lat[1], 0.95)
	res.CommandSealedPct = 100 * res.CommandMsSealedMedian / res.CommandMsPlainMedian
	return nil
}

// encUnlock times keys.Open of a password key file made with the default
// argon2id parameters.
func encUnlock(dir string, opt EncOptions, log *slog.Logger, res *EncResult) error {
	log.Info("unlock", "runs", opt.Unlocks)
	path := filepath.Join(dir, "unlock.db")
	want, err := keys.Create(path, keys.Password("пароль для замера"))
	if err != nil {
		return err
	}
	var ts []float64
	for range opt.Unlocks {
		t := time.Now()
		got, err := keys.Open(path, keys.Password("пароль для замера"))
		ts = append(ts, time.Since(t).Seconds())
		if err != nil {
			return err
		}
		if string(got) != string(want) {
			return fmt.Errorf("unlock: another data key")
		}
	}
	res.UnlockSeconds, res.UnlockSecondsMax, res.UnlockRuns = quantile(ts, 0.5), slices.Max(ts), len(ts)
	res.UnlockParams = keys.DefaultParams
	return nil
}

var (
	lastNames = []string{"Кузнецов", "Иванов", "Смирнов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
		"Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов",
		"Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев",
		"Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин"}
	firstNames  = []string{"Александр", "Максим", "Артём", "Михаил", "Иван", "Даниил", "Дмитрий", "Кирилл", "Андрей", "Егор", "Никита", "Илья", "Алексей", "Матвей", "Тимофей", "Роман"}
	middleNames = []string{"Александрович", "Сергеевич", "Дмитриевич", "Андреевич", "Алексеевич", "Иванович", "Михайлович", "Евгеньевич"}
)

// encSearch builds a sealed database of opt.Children children (ExecBatch,
// 5 000 a transaction, NoSync), and a plaintext twin of the same children,
// and times the desktop's name search on each for every prefix of 1 to 5
// letters of a common surname.
func encSearch(ctx context.Context, dir string, opt EncOptions, log *slog.Logger, res *EncResult) error {
	log.Info("name search: building", "children", opt.Children)
	path := filepath.Join(dir, "search.db")
	now := time.Date(2026, 9, 1, 12, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	db, err := store.Open(path, store.Options{NoSync: true, DataKey: newDataKey(), Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	defer db.Close()
	plainPath := filepath.Join(dir, "search-plain.db")
	plain, err := store.Open(plainPath, store.Options{NoSync: true, Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	defer plain.Close()
	if _, err := plain.Exec(assets.Seed(app.DateOf(now))); err != nil {
		return err
	}
	t := time.Now()
	if _, err := db.Exec(assets.Seed(app.DateOf(now))); err != nil {
		return err
	}
	var plainT time.Duration
	rnd := rand.New(rand.NewPCG(3, 4))
	born := app.MustDate("2009-01-01")
	var cmds []app.Command
	for i := range opt.Children {
		if err := ctx.Err(); err != nil {
			return err
		}
		cmds = append(cmds, &app.RegisterChild{Child: app.Child{ID: fmt.Sprintf("child-%06d", i),
			LastName:   lastNames[rnd.IntN(len(lastNames))],
			FirstName:  firstNames[rnd.IntN(len(firstNames))],
			MiddleName: middleNames[rnd.IntN(len(middleNames))],
			BirthDate:  born.AddDays(rnd.IntN(12 * 365)), Municipality: "27",
			GuardianName: "Законный Представитель", GuardianPhone: fmt.Sprintf("+7 918 %03d-%02d-%02d", i/10000, i/100%100, i%100),
			ConsentDate: app.MustDate("2026-09-01"), ConsentBy: "Сидорова М. П."}})
		if len(cmds) == 5000 || i == opt.Children-1 {
			if _, err := db.ExecBatch(cmds); err != nil {
				return fmt.Errorf("register children: %w", err)
			}
			tp := time.Now()
			if _, err := plain.ExecBatch(cmds); err != nil {
				return fmt.Errorf("register children: %w", err)
			}
			plainT += time.Since(tp)
			cmds = cmds[:0]
			log.Info("name search: building", "done", i+1)
		}
	}
	res.SearchBuildSeconds = (time.Since(t) - plainT).Seconds()
	res.SearchChildren, res.SearchLimit = opt.Children, searchLimit
	if fi, err := os.Stat(path); err == nil {
		res.SearchFileBytes = fi.Size()
	}
	if fi, err := os.Stat(plainPath); err == nil {
		res.SearchPlainBytes = fi.Size()
	}
	word := []rune("кузнецов")
	for n := 1; n <= 5; n++ {
		prefix := string(word[:n])
		var ts [2][]float64
		found := 0
		for range 15 {
			for i, d := range []*store.DB{db, plain} {
				t := time.Now()
				err := d.View(func(r app.Reader) error {
					kids, err := app.List[app.Child](r, app.IdxName, app.NameKey(prefix), searchLimit)
					found = len(kids)
					return err
				})
				ts[i] = append(ts[i], ms(time.Since(t)))
				if err != nil {
					return err
				}
			}
		}
		f := SearchFigure{Prefix: prefix, Found: found, MsMedian: quantile(ts[0], 0.5), MsMax: slices.Max(ts[0]),
			MsPlainMedian: quantile(ts[1], 0.5)}
		res.Search = append(res.Search, f)
		// The desktop searches names from two letters on (ui: tooShort); one
		// letter is reported, not judged.
		if n >= 2 {
			res.SearchMsMax = max(res.SearchMsMax, f.MsMedian)
		}
		log.Info("name search", "prefix", prefix, "found", found, "ms", f.MsMedian)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// quantile is the q-quantile of xs (nearest rank).
func quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(q * float64(len(s)))
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}
