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

// Filters of the expertise list.
const (
	expSubmitted = "На экспертизе"
	expCertified = "Сертифицированы"
	expDenied    = "Отказано"
)

var expertiseStatus = map[string]string{expSubmitted: app.ProgSubmitted, expCertified: app.ProgCertified,
	expDenied: app.ProgDenied}

// expRow is a programme with what the expert needs beside it.
type expRow struct {
	prog     app.Programme
	provider app.Provider
	dir      string
	modules  []app.Module
}

// expertiseScreen is the region's independent expertise of programmes
// (RULES.md §4): a submitted programme is certified, and enters the registry
// of certified programmes, or denied with a reason the provider sees.
type expertiseScreen struct {
	st  app.Store
	now func() time.Time

	rows []expRow
	sel  int
	cap  int64 // the regional price cap, %

	filter  *widget.RadioGroup
	count   *widget.Label
	list    *widget.List
	title   *widget.Label
	about   *widget.Label
	modules *widget.Label
	reason  *field
	certify *widget.Button
	deny    *widget.Button
	status  *widget.Label
	content fyne.CanvasObject
}

func newExpertiseScreen(st app.Store, now func() time.Time) *expertiseScreen {
	s := &expertiseScreen{st: st, now: now, sel: -1, count: newStatus(), title: newStatus(), about: newStatus(),
		modules: newStatus(), status: newStatus()}
	s.title.TextStyle = fyne.TextStyle{Bold: true}
	s.filter = widget.NewRadioGroup([]string{expSubmitted, expCertified, expDenied}, func(string) { s.refresh() })
	s.filter.Horizontal = true
	s.filter.Required = true
	s.filter.Selected = expSubmitted
	s.list = widget.NewList(func() int { return len(s.rows) }, s.createRow, s.updateRow)
	s.list.OnSelected = func(id widget.ListItemID) { s.choose(id) }
	s.reason = newField("причина отказа: что исправить исполнителю", nil)
	s.reason.onEnter(s.onDeny)
	watchFields(s.status, s.reason) // a refusal's message goes when the reason is typed
	s.certify = widget.NewButton("Сертифицировать", s.onCertify)
	s.certify.Importance = widget.SuccessImportance
	s.deny = widget.NewButton("Отказать", s.onDeny)
	s.deny.Importance = widget.DangerImportance
	// The programme scrolls; the decision stays under it in a place of its
	// own, its message under the buttons, so nothing is drawn over them.
	detail := container.NewVBox(s.title, s.about, heading("Модули"), s.modules)
	decision := container.NewVBox(widget.NewSeparator(), heading("Решение экспертизы"), s.reason.box,
		container.NewHBox(s.certify, s.deny), s.status)
	split := container.NewHSplit(container.NewBorder(container.NewVBox(s.filter, s.count), nil, nil, nil, s.list),
		container.NewBorder(nil, decision, nil, nil, container.NewVScroll(detail)))
	split.Offset = 0.4
	s.content = container.NewBorder(heading("Независимая экспертиза программ"), nil, nil, nil, split)
	return s
}

// refresh reads the programmes of the chosen status again.
func (s *expertiseScreen) refresh() {
	status := expertiseStatus[s.filter.Selected]
	var rows []expRow
	var pct int64
	err := s.st.View(func(r app.Reader) error {
		if reg, err := app.Get[app.Region](r, "region"); err == nil {
			pct = reg.PriceCapPct
		}
		dirs := map[string]string{}
		ds, err := app.List[app.Direction](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, d := range ds {
			dirs[d.Code] = d.Name
		}
		progs, err := app.List[app.Programme](r, app.IdxStatus, status, 0)
		if err != nil {
			return err
		}
		for _, p := range progs {
			if p.Status != status {
				continue
			}
			row := expRow{prog: p, dir: dirs[p.Direction]}
			row.provider, _ = app.Get[app.Provider](r, p.Provider)
			if row.modules, err = app.List[app.Module](r, app.IdxProgramme, p.ID, 0); err != nil {
				return err
			}
			rows = append(rows, row)
		}
		return nil
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	slices.SortFunc(rows, func(a, b expRow) int {
		if c := strings.Compare(app.NameKey(a.prog.Title), app.NameKey(b.prog.Title)); c != 0 {
			return c
		}
		return strings.Compare(a.prog.ID, b.prog.ID)
	})
	id := ""
	if s.sel >= 0 && s.sel < len(s.rows) {
		id = s.rows[s.sel].prog.ID
	}
	s.rows, s.cap = rows, pct
	s.count.Importance = widget.MediumImportance
	s.count.SetText(s.filter.Selected + ": " + strconv.Itoa(len(rows)))
	s.list.UnselectAll()
	s.list.Refresh()
	if i := slices.IndexFunc(rows, func(r expRow) bool { return r.prog.ID == id }); i >= 0 {
		s.list.Select(i)
	} else {
		s.choose(-1)
	}
}

func (s *expertiseScreen) createRow() fyne.CanvasObject {
	t := widget.NewLabel("")
	t.TextStyle = fyne.TextStyle{Bold: true}
	t.Truncation = fyne.TextTruncateEllipsis
	p := widget.NewLabel("")
	p.Truncation = fyne.TextTruncateEllipsis
	p.TextStyle = fyne.TextStyle{Italic: true}
	return container.NewVBox(t, p)
}

func (s *expertiseScreen) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	box := o.(*fyne.Container)
	if id < 0 || id >= len(s.rows) {
		return
	}
	r := s.rows[id]
	box.Objects[0].(*widget.Label).SetText(r.prog.Title)
	box.Objects[1].(*widget.Label).SetText(r.provider.Name + " · " + r.dir)
}

// choose shows the programme for the expert's decision.
func (s *expertiseScreen) choose(i int) {
	say(s.status, "")
	if i < 0 || i >= len(s.rows) {
		s.sel = -1
		s.title.SetText("Выберите программу в списке")
		s.about.SetText("")
		s.modules.SetText("")
		s.reason.set("")
		s.reason.entry.Disable()
		s.certify.Disable()
		s.deny.Disable()
		return
	}
	s.sel = i
	r := s.rows[i]
	p := r.prog
	s.title.SetText("«" + p.Title + "»")
	about := "Исполнитель: " + r.provider.Name + " (" + providerStatusRu(r.provider.Status) + ")\n" +
		"Направленность: " + r.dir + "; возраст " + strconv.Itoa(p.AgeMin) + "–" + strconv.Itoa(p.AgeMax) +
		" лет; форма: " + p.Form + "\nСтатус: " + app.ProgrammeStatusRu(p.Status)
	if p.DenyReason != "" {
		about += " — " + p.DenyReason
	}
	if strings.TrimSpace(p.Description) != "" {
		about += "\n\n" + p.Description
	}
	s.about.SetText(about)
	s.modules.SetText(s.modulesText(r.modules))
	pending := p.Status == app.ProgSubmitted
	s.reason.set("")
	setEnabled(s.reason.entry, pending)
	setEnabled(s.certify, pending)
	setEnabled(s.deny, pending)
}

// modulesText lists the modules with their prices against the cap.
func (s *expertiseScreen) modulesText(ms []app.Module) string {
	if len(ms) == 0 {
		return "Модулей нет: программу без модулей сертифицировать не на что"
	}
	var b strings.Builder
	for i, m := range ms {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("• " + m.Name + ": " + strconv.Itoa(m.Hours) + " ч, " + strconv.Itoa(m.Months) + " мес., детей " +
			strconv.Itoa(m.MinChildren) + "–" + strconv.Itoa(m.MaxChildren) + "; цена " + rub(m.Price) +
			", нормативная стоимость " + rub(m.NormPrice))
		if s.cap > 0 && m.Price*100 > m.NormPrice*s.cap {
			b.WriteString(" — выше предела " + rub(m.NormPrice*s.cap/100) + " (коэффициент " + strconv.FormatInt(s.cap, 10) + nbsp + "%)")
		}
	}
	return b.String()
}

func (s *expertiseScreen) onCertify() {
	if s.sel < 0 {
		return
	}
	p := s.rows[s.sel].prog
	if _, err := s.st.Exec(&app.CertifyProgramme{Programme: p.ID}); err != nil {
		sayErr(s.status, err)
		return
	}
	s.refresh()
	say(s.status, "Программа «"+p.Title+"» сертифицирована и включена в реестр сертифицированных программ")
}

func (s *expertiseScreen) onDeny() {
	if s.sel < 0 {
		return
	}
	p := s.rows[s.sel].prog
	if strings.TrimSpace(s.reason.text()) == "" {
		s.reason.showError(msgf("Укажите причину отказа: исполнитель увидит её и сможет исправить программу"))
		sayErr(s.status, msgf("Отказ без причины не сохраняется"))
		return
	}
	if _, err := s.st.Exec(&app.DenyProgramme{Programme: p.ID, Reason: strings.TrimSpace(s.reason.text())}); err != nil {
		sayErr(s.status, err)
		return
	}
	s.refresh()
	say(s.status, "В сертификации программы «"+p.Title+"» отказано; причина передана исполнителю")
}

// providerStatusRu is the Russian name of a provider's status.
func providerStatusRu(s string) string {
	switch s {
	case app.ProviderNew:
		return "новый, не допущен"
	case app.ProviderActive:
		return "действует"
	case app.ProviderSuspended:
		return "приостановлен"
	}
	return s
}
