//go:build !nogui

package ui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

var listingColumns = []column{
	{"Программа", 230},
	{"Исполнитель", 200},
	{"Направленность", 150},
	{"Мест", 60},
	{"Занято", 70},
}

// listingRow is one programme of the municipal registry.
type listingRow struct {
	listing  app.Listing
	prog     app.Programme
	provider string
	dir      string
}

// registryScreen is the municipality's registry of educational programmes
// (municipal assignment, RULES.md §4): the programmes it funds by its own
// criteria, with an optional cap on places. Enrolment there needs any
// certificate and costs it nothing.
type registryScreen struct {
	st  app.Store
	mun string
	now func() time.Time

	rows       []listingRow
	candidates []listingRow // programmes that can be added
	shown      []listingRow // candidates matching the search
	sel, pick  int

	table   *widget.Table
	chosen  *widget.Label
	places  *field
	setCap  *widget.Button
	unlist  *widget.Button
	search  *widget.Entry
	list    *widget.List
	newCap  *field
	add     *widget.Button
	status  *widget.Label
	content fyne.CanvasObject
}

func newRegistryScreen(st app.Store, mun string, now func() time.Time) *registryScreen {
	s := &registryScreen{st: st, mun: mun, now: now, sel: -1, pick: -1, chosen: newStatus(), status: newStatus()}
	s.table = widget.NewTableWithHeaders(s.size, s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = s.createCell
	s.table.OnSelected = func(id widget.TableCellID) { s.choose(id.Row) }
	setColumns(s.table, listingColumns)
	placesCheck := func(v string) error { _, err := countField("число мест", v, true); return err }
	s.places = newField("пусто — без ограничения", placesCheck)
	s.places.onEnter(s.onSetPlaces)
	s.setCap = widget.NewButton("Изменить число мест", s.onSetPlaces)
	s.unlist = widget.NewButton("Исключить из реестра", s.onUnlist)
	s.unlist.Importance = widget.DangerImportance

	s.search = widget.NewEntry()
	s.search.SetPlaceHolder("Поиск программы по названию или исполнителю")
	s.search.OnChanged = func(string) { s.filter() }
	s.list = widget.NewList(func() int { return len(s.shown) }, s.createCandidate, s.updateCandidate)
	s.list.OnSelected = func(id widget.ListItemID) { s.pick = id; s.showPick() }
	s.newCap = newField("пусто — без ограничения", placesCheck)
	s.newCap.onEnter(s.onList)
	s.add = widget.NewButton("Включить в реестр", s.onList)
	s.add.Importance = widget.HighImportance

	left := container.NewBorder(heading("Муниципальный реестр образовательных программ"),
		container.NewVBox(s.chosen, container.NewBorder(nil, nil, widget.NewLabel("Мест"), nil, s.places.box),
			container.NewHBox(s.setCap, s.unlist)), nil, nil, fitColumns(s.table, listingColumns))
	right := container.NewBorder(container.NewVBox(heading("Включить программу"), s.search),
		container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel("Мест"), s.add, s.newCap.box)),
		nil, nil, s.list)
	split := container.NewHSplit(left, right)
	split.Offset = 0.62
	s.content = container.NewBorder(nil, s.status, nil, nil, split)
	return s
}

// refresh reads the registry and the programmes that can join it.
func (s *registryScreen) refresh() {
	var rows, cands []listingRow
	err := s.st.View(func(r app.Reader) error {
		dirs := map[string]string{}
		ds, err := app.List[app.Direction](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, d := range ds {
			dirs[d.Code] = d.Name
		}
		provs := map[string]string{}
		ps, err := app.List[app.Provider](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, p := range ps {
			provs[p.ID] = p.Name
		}
		listed := map[string]bool{}
		ls, err := app.List[app.Listing](r, app.IdxMunicipality, s.mun, 0)
		if err != nil {
			return err
		}
		for _, l := range ls {
			p, err := app.Get[app.Programme](r, l.Programme)
			if err != nil {
				continue
			}
			listed[p.ID] = true
			rows = append(rows, listingRow{listing: l, prog: p, provider: provs[p.Provider], dir: dirs[p.Direction]})
		}
		progs, err := app.List[app.Programme](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, p := range progs {
			if listed[p.ID] || p.Status == app.ProgArchived || p.Status == app.ProgDraft {
				continue
			}
			cands = append(cands, listingRow{prog: p, provider: provs[p.Provider], dir: dirs[p.Direction]})
		}
		return nil
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	byTitle := func(a, b listingRow) int {
		if c := strings.Compare(app.NameKey(a.prog.Title), app.NameKey(b.prog.Title)); c != 0 {
			return c
		}
		return strings.Compare(a.prog.ID, b.prog.ID)
	}
	slices.SortFunc(rows, byTitle)
	slices.SortFunc(cands, byTitle)
	id := ""
	if s.sel >= 0 && s.sel < len(s.rows) {
		id = s.rows[s.sel].prog.ID
	}
	s.rows, s.candidates = rows, cands
	s.table.Refresh()
	s.choose(slices.IndexFunc(rows, func(r listingRow) bool { return r.prog.ID == id }))
	s.filter()
}

func (s *registryScreen) filter() {
	words := strings.Fields(app.NameKey(s.search.Text))
	s.shown = s.shown[:0]
	for _, c := range s.candidates {
		if containsAll(app.NameKey(c.prog.Title+" "+c.provider), words) {
			s.shown = append(s.shown, c)
		}
	}
	s.pick = -1
	s.list.UnselectAll()
	s.list.Refresh()
	s.showPick()
}

func (s *registryScreen) showPick() {
	setEnabled(s.add, s.pick >= 0 && s.pick < len(s.shown))
}

func (s *registryScreen) createCandidate() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *registryScreen) updateCandidate(id widget.ListItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(s.shown) {
		return
	}
	c := s.shown[id]
	o.(*widget.Label).SetText(c.prog.Title + " — " + c.provider + " (" + app.ProgrammeStatusRu(c.prog.Status) + ")")
}

func (s *registryScreen) choose(row int) {
	if row < 0 || row >= len(s.rows) {
		s.sel = -1
		s.chosen.Importance = widget.LowImportance
		s.chosen.SetText("Выберите программу в таблице, чтобы изменить число мест или исключить её из реестра")
		s.places.set("")
		s.setCap.Disable()
		s.unlist.Disable()
		return
	}
	s.sel = row
	r := s.rows[row]
	s.chosen.Importance = widget.MediumImportance
	s.chosen.SetText("«" + r.prog.Title + "», " + r.provider + ": зачислено " + strconv.FormatInt(r.listing.Enrolled, 10))
	if r.listing.Places > 0 {
		s.places.set(strconv.FormatInt(r.listing.Places, 10))
	} else {
		s.places.set("")
	}
	s.setCap.Enable()
	s.unlist.Enable()
}

func (s *registryScreen) onSetPlaces() {
	if s.sel < 0 {
		return
	}
	if err := s.places.validate(); err != nil {
		sayInvalid(s.status, "Число мест не изменено", s.places) // the field says why
		return
	}
	n, _ := countField("", s.places.text(), true)
	r := s.rows[s.sel]
	if _, err := s.st.Exec(&app.ListProgramme{Municipality: s.mun, Programme: r.prog.ID, Places: n}); err != nil {
		sayErr(s.status, err)
		return
	}
	s.refresh()
	say(s.status, "Число мест по программе «"+r.prog.Title+"»: "+placesRu(n))
}

func placesRu(n int64) string {
	if n == 0 {
		return "без ограничения"
	}
	return strconv.FormatInt(n, 10)
}

// onUnlist asks before removing the programme; contracts in force stay.
func (s *registryScreen) onUnlist() {
	if s.sel < 0 {
		return
	}
	r := s.rows[s.sel]
	do := func() {
		if _, err := s.st.Exec(&app.UnlistProgramme{Municipality: s.mun, Programme: r.prog.ID}); err != nil {
			sayErr(s.status, err)
			return
		}
		s.refresh()
		say(s.status, "Программа «"+r.prog.Title+"» исключена из реестра; действующие договоры сохраняются")
	}
	askConfirm(s.content, "Исключить из реестра", "Исключить программу «"+r.prog.Title+
		"» из муниципального реестра? Действующие договоры сохранятся, новых зачислений по муниципальному заданию не будет.",
		"Исключить", do)
}

func (s *registryScreen) onList() {
	if s.pick < 0 || s.pick >= len(s.shown) {
		sayErr(s.status, msgf("Выберите программу в списке справа"))
		return
	}
	if err := s.newCap.validate(); err != nil {
		sayInvalid(s.status, "Программа не включена", s.newCap) // the field says why
		return
	}
	n, _ := countField("", s.newCap.text(), true)
	c := s.shown[s.pick]
	if _, err := s.st.Exec(&app.ListProgramme{Municipality: s.mun, Programme: c.prog.ID, Places: n}); err != nil {
		sayErr(s.status, err)
		return
	}
	s.newCap.set("")
	s.search.SetText("")
	s.refresh()
	say(s.status, "Программа «"+c.prog.Title+"» включена в реестр, мест: "+placesRu(n))
}

func (s *registryScreen) size() (int, int) { return len(s.rows), len(listingColumns) }

func (s *registryScreen) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *registryScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	o.(*widget.Label).SetText(s.cell(id.Row, id.Col))
}

// cell is the text at a row and column: what the table shows and tests read.
func (s *registryScreen) cell(row, col int) string {
	if row < 0 || row >= len(s.rows) {
		return ""
	}
	r := s.rows[row]
	switch col {
	case 0:
		return r.prog.Title
	case 1:
		return r.provider
	case 2:
		return r.dir
	case 3:
		if r.listing.Places == 0 {
			return "—"
		}
		return strconv.FormatInt(r.listing.Places, 10)
	case 4:
		return strconv.FormatInt(r.listing.Enrolled, 10)
	}
	return ""
}
