package sheets

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"kruzhok/app"
	"kruzhok/store"
)

// Store is what an import needs: the store's batch write and reads.
// *store.DB is one.
type Store interface {
	ExecBatch(cmds []app.Command) ([]app.Op, error)
	View(fn func(r app.Reader) error) error
}

var _ Store = (*store.DB)(nil)

// BatchSize is how many commands one import transaction carries.
const BatchSize = 1000

// ImportOptions steer an import.
type ImportOptions struct {
	// SkipBad imports the good rows and reports the bad; without it any bad
	// row means nothing is imported.
	SkipBad bool
	// Municipality ("27" or a name) is the children's municipality when the
	// file has no «Муниципалитет» column.
	Municipality string
	// Today is the date ages are checked on (zero: today in Moscow). The
	// commands check again on the store's own date.
	Today app.Date
}

// Problem is what is wrong with one row: its number in the file (the header
// is row 1), the column ("" when the problem is the row as a whole) and the
// reason in Russian.
type Problem struct {
	Row     int
	Column  string
	Message string
}

func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("строка %d: %s", p.Row, p.Message)
	}
	return fmt.Sprintf("строка %d, «%s»: %s", p.Row, p.Column, p.Message)
}

// Report is the outcome of an import.
type Report struct {
	Rows     int       // data rows read (empty rows not counted)
	Imported int       // rows imported
	Problems []Problem // in row order
}

// ErrBadRows is returned, with the report, when rows are bad and SkipBad is off.
var ErrBadRows = app.Errorf(app.EINVALID, "В файле есть строки с ошибками: ничего не импортировано (исправьте их или укажите --skip-bad)")

// unit is what is imported or refused as a whole: a child's row, or a
// programme's rows with its modules.
type unit struct {
	rows []int // file row numbers, the first is the unit's own
	cmds []app.Command
	at   []int // for each command, the index in rows it comes from
}

// problems collects a report's problems.
type problems struct{ list []Problem }

func (p *problems) add(row int, col, format string, a ...any) {
	p.list = append(p.list, Problem{Row: row, Column: col, Message: fmt.Sprintf(format, a...)})
}

// required reports an empty required cell and returns false.
func (p *problems) required(r row, cols ...string) bool {
	ok := true
	for _, c := range cols {
		if r.get(c) == "" {
			p.add(r.n, c, "Поле не заполнено")
			ok = false
		}
	}
	return ok
}

// columnOf says which column an error code of a command is about.
var columnOf = map[string]string{
	app.AGE_OUT_OF_RANGE: colBirth,
	app.NOT_RESIDENT:     colMun,
	app.CONSENT_REQUIRED: colConsentDate,
	app.PRICE_ABOVE_CAP:  colPrice,
}

// load reads and parses a table file and checks its header.
func load(in io.Reader, need ...string) (sheet, error) {
	data, err := readAll(in)
	if err != nil {
		return sheet{}, err
	}
	s, err := parse(data)
	if err != nil {
		return s, err
	}
	cols := s.columns()
	var missing []string
	for _, c := range need {
		if _, ok := cols[app.NameKey(c)]; !ok {
			missing = append(missing, "«"+c+"»")
		}
	}
	if len(missing) > 0 {
		return s, app.Errorf(app.EINVALID, "В первой строке таблицы нет столбцов %s", strings.Join(missing, ", "))
	}
	return s, nil
}

func (s sheet) each(fn func(r row)) int {
	cols := s.columns()
	n := 0
	for i, vals := range s.rows {
		r := row{n: i + 2, vals: vals, cols: cols, xlsx: s.xlsx}
		if r.empty() {
			continue
		}
		n++
		fn(r)
	}
	return n
}

// sentinel fails on purpose at the end of a dry run, so that ExecBatch rolls
// back everything the rows' commands did.
type sentinel struct{}

var errDryRun = errors.New("dry run")

func (sentinel) Op() string                   { return "sheets_dry_run" }
func (sentinel) Apply(app.Tx, app.Meta) error { return errDryRun }

// run validates the units by executing their commands in transactions that
// are always rolled back, dropping each unit whose command fails and
// reporting it; then writes the good units in batches of BatchSize. Units
// are independent of each other (each carries its own IDs), so the dry run
// goes in chunks of BatchSize commands and a failure re-runs only its chunk.
func run(st Store, units []unit, p *problems, rep *Report, skipBad bool) error {
	var good []unit
	for lo := 0; lo < len(units); {
		hi, n := lo, 0
		for hi < len(units) && (hi == lo || n+len(units[hi].cmds) <= BatchSize) {
			n += len(units[hi].cmds)
			hi++
		}
		ok, err := dryRun(st, slices.Clone(units[lo:hi]), p)
		if err != nil {
			return err
		}
		good = append(good, ok...)
		lo = hi
	}
	units = good
	sortProblems(p.list)
	rep.Problems = p.list
	if len(p.list) > 0 && !skipBad {
		return ErrBadRows
	}
	var batch []app.Command
	var rows int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := st.ExecBatch(batch); err != nil {
			return fmt.Errorf("импортировано строк: %d; следующая часть не записана: %w", rep.Imported, err)
		}
		rep.Imported += rows
		batch, rows = batch[:0], 0
		return nil
	}
	for _, u := range units {
		if len(batch)+len(u.cmds) > BatchSize {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, u.cmds...)
		rows += len(u.rows)
	}
	return flush()
}

// dryRun executes the units' commands followed by the sentinel, so that
// nothing is ever written; a failing command's unit is reported and dropped
// and the rest is tried again. It returns the units that passed.
func dryRun(st Store, units []unit, p *problems) ([]unit, error) {
	for {
		var cmds []app.Command
		var owner [][2]int // unit, command
		for ui, u := range units {
			for ci, c := range u.cmds {
				cmds = append(cmds, c)
				owner = append(owner, [2]int{ui, ci})
			}
		}
		if len(cmds) == 0 {
			return nil, nil
		}
		_, err := st.ExecBatch(append(cmds, sentinel{}))
		var be *store.BatchError
		if !errors.As(err, &be) {
			return nil, fmt.Errorf("проверка строк: %w", err)
		}
		if be.Index == len(cmds) {
			return units, nil // every command passed; the sentinel rolled them back
		}
		o := owner[be.Index]
		u := units[o[0]]
		bad := u.rows[u.at[o[1]]]
		p.add(bad, columnOf[app.ErrorCode(be.Err)], "%s", app.ErrorMessage(be.Err))
		for _, r := range u.rows {
			if r != bad {
				p.add(r, "", "Не импортирована вместе со строкой %d", bad)
			}
		}
		units = append(units[:o[0]], units[o[0]+1:]...)
	}
}

func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int { return a.Row - b.Row })
}

func today(d app.Date) app.Date {
	if d != 0 {
		return d
	}
	return app.DateOf(time.Now())
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// municipalities maps codes ("27", also "7" for "07", as Excel drops the
// zero) and normalised names to codes.
func municipalities(r app.Reader) (map[string]string, error) {
	ms, err := app.List[app.Municipality](r, "", "", 0)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, mu := range ms {
		m[mu.Code] = mu.Code
		m[strings.TrimLeft(mu.Code, "0")] = mu.Code
		m[app.NameKey(mu.Name)] = mu.Code
	}
	return m, nil
}

// ImportChildren registers the children of a table (columns ChildColumns,
// docs/IMPORT.md) through app.RegisterChild. Whole-file errors: ErrTooLarge,
// ErrNotTable, EINVALID for missing columns. Bad rows are in the report;
// without SkipBad they make it ErrBadRows and nothing is imported.
func ImportChildren(st Store, in io.Reader, opt ImportOptions) (Report, error) {
	need := []string{colLast, colFirst, colBirth, colGuardian, colConsentDate, colConsentBy}
	s, err := load(in, need...)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	var p problems
	var units []unit
	on := today(opt.Today)
	err = st.View(func(r app.Reader) error {
		muns, err := municipalities(r)
		if err != nil {
			return err
		}
		_, hasMun := s.columns()[app.NameKey(colMun)]
		defMun := ""
		if !hasMun {
			if opt.Municipality == "" {
				return app.Errorf(app.EINVALID, "В таблице нет столбца «%s»: укажите муниципалитет всех детей (--municipality)", colMun)
			}
			if defMun = muns[app.NameKey(opt.Municipality)]; defMun == "" {
				return app.Errorf(app.EINVALID, "Неизвестный муниципалитет «%s»", opt.Municipality)
			}
		}
		inFile := map[string]int{}
		var ferr error
		rep.Rows = s.each(func(rw row) {
			before := len(p.list)
			p.required(rw, need...)
			if hasMun {
				p.required(rw, colMun)
			}
			ch := app.Child{ID: newID(), LastName: rw.get(colLast), FirstName: rw.get(colFirst),
				MiddleName: rw.get(colMiddle), GuardianName: rw.get(colGuardian),
				GuardianPhone: rw.get(colPhone), ConsentBy: rw.get(colConsentBy), SNILS: rw.get(colSNILS)}
			if rw.get(colBirth) != "" {
				if ch.BirthDate, err = rw.date(colBirth); err != nil {
					p.add(rw.n, colBirth, "%s", app.ErrorMessage(err))
				} else if err := app.CheckAge(ch.BirthDate, on); err != nil {
					p.add(rw.n, colBirth, "%s", app.ErrorMessage(err))
				}
			}
			if rw.get(colConsentDate) != "" {
				if ch.ConsentDate, err = rw.date(colConsentDate); err != nil {
					p.add(rw.n, colConsentDate, "%s", app.ErrorMessage(err))
				}
			}
			ch.Municipality = defMun
			if v := rw.get(colMun); hasMun && v != "" {
				if ch.Municipality = muns[app.NameKey(v)]; ch.Municipality == "" {
					p.add(rw.n, colMun, "Неизвестный муниципалитет «%s»", v)
				}
			}
			if len(p.list) > before {
				return
			}
			key := app.NameKey(ch.FullName())
			dup := key + "|" + ch.BirthDate.String()
			if first, ok := inFile[dup]; ok {
				p.add(rw.n, colLast, "Повтор: ребёнок с теми же ФИО и датой рождения уже есть в строке %d", first)
				return
			}
			inFile[dup] = rw.n
			same, err := app.List[app.Child](r, app.IdxName, key, 0)
			if err != nil {
				ferr = err
			}
			for _, c := range same {
				if app.NameKey(c.FullName()) == key && c.BirthDate == ch.BirthDate {
					p.add(rw.n, colLast, "Повтор: ребёнок с теми же ФИО и датой рождения уже зарегистрирован")
					return
				}
			}
			units = append(units, unit{rows: []int{rw.n}, cmds: []app.Command{&app.RegisterChild{Child: ch}}, at: []int{0}})
		})
		return ferr
	})
	if err != nil {
		return rep, err
	}
	err = run(st, units, &p, &rep, opt.SkipBad)
	return rep, err
}

// ImportProgrammes saves the programmes of a table (columns
// ProgrammeColumns, docs/IMPORT.md) as drafts through app.SaveProgramme and
// app.SaveModule. Rows with the same provider (ИНН) and title are one
// programme, a module each; the programme's fields come from its first row.
// A programme is imported or refused whole. Errors as ImportChildren.
func ImportProgrammes(st Store, in io.Reader, opt ImportOptions) (Report, error) {
	need := []string{colINN, colTitle, colDirection, colAgeMin, colAgeMax, colForm, colModule,
		colHours, colMonths, colKidsMin, colKidsMax, colPrice, colNorm}
	s, err := load(in, need...)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	var p problems
	type prog struct {
		u   unit
		bad bool
	}
	var progs []*prog
	byKey := map[string]*prog{}
	err = st.View(func(r app.Reader) error {
		provs, err := app.List[app.Provider](r, "", "", 0)
		if err != nil {
			return err
		}
		provOf := map[string]string{}
		for _, pv := range provs {
			provOf[pv.INN] = pv.ID
		}
		dirs, err := app.List[app.Direction](r, "", "", 0)
		if err != nil {
			return err
		}
		dirOf := map[string]string{}
		for _, d := range dirs {
			dirOf[app.NameKey(d.Name)], dirOf[app.NameKey(d.Code)] = d.Code, d.Code
		}
		rep.Rows = s.each(func(rw row) {
			before := len(p.list)
			p.required(rw, need...)
			num := func(col string) int {
				if rw.get(col) == "" {
					return 0
				}
				n, err := rw.integer(col)
				if err != nil {
					p.add(rw.n, col, "%s", app.ErrorMessage(err))
				}
				return n
			}
			rub := func(col string) int64 {
				if rw.get(col) == "" {
					return 0
				}
				k, err := app.ParseRub(rw.get(col))
				if err != nil {
					p.add(rw.n, col, "%s", app.ErrorMessage(err))
				}
				return k
			}
			provider := provOf[rw.get(colINN)]
			if v := rw.get(colINN); v != "" && provider == "" {
				p.add(rw.n, colINN, "Исполнитель с ИНН «%s» не зарегистрирован", v)
			}
			dir := dirOf[app.NameKey(rw.get(colDirection))]
			if v := rw.get(colDirection); v != "" && dir == "" {
				p.add(rw.n, colDirection, "Неизвестная направленность «%s»", v)
			}
			ageMin, ageMax := num(colAgeMin), num(colAgeMax)
			mod := &app.SaveModule{ID: newID(), Name: rw.get(colModule), Hours: num(colHours),
				Months: num(colMonths), MinChildren: num(colKidsMin), MaxChildren: num(colKidsMax),
				Price: rub(colPrice), NormPrice: rub(colNorm)}
			key := provider + "|" + app.NameKey(rw.get(colTitle))
			pr := byKey[key]
			if pr == nil {
				pr = &prog{}
				byKey[key] = pr
				progs = append(progs, pr)
				pr.u.rows = []int{rw.n}
				pr.u.cmds = []app.Command{&app.SaveProgramme{ID: newID(), Provider: provider, Title: rw.get(colTitle),
					Direction: dir, AgeMin: ageMin, AgeMax: ageMax, Form: rw.get(colForm), Description: rw.get(colDesc)}}
				pr.u.at = []int{0}
			} else {
				pr.u.rows = append(pr.u.rows, rw.n)
			}
			mod.Programme = pr.u.cmds[0].(*app.SaveProgramme).ID
			pr.u.cmds = append(pr.u.cmds, mod)
			pr.u.at = append(pr.u.at, len(pr.u.rows)-1)
			if len(p.list) > before {
				pr.bad = true
			}
		})
		return nil
	})
	if err != nil {
		return rep, err
	}
	var units []unit
	bad := map[int]bool{}
	for _, q := range p.list {
		bad[q.Row] = true
	}
	for _, pr := range progs {
		if !pr.bad {
			units = append(units, pr.u)
			continue
		}
		first := 0
		for _, r := range pr.u.rows {
			if bad[r] {
				first = r
				break
			}
		}
		for _, r := range pr.u.rows {
			if !bad[r] {
				p.add(r, "", "Не импортирована вместе со строкой %d", first)
			}
		}
	}
	err = run(st, units, &p, &rep, opt.SkipBad)
	return rep, err
}
