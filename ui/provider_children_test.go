//go:build !nogui

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"kruzhok/app"
)

// fillChild types a whole registration form the way a person does.
func fillChild(s *childrenScreen, last, first, birth string) {
	typeInto(s.last, last)
	typeInto(s.first, first)
	s.middle.SetText("")
	test.Type(s.middle, "Сергеевич")
	typeInto(s.birth, birth)
	typeInto(s.guardian, "Петрова Анна Ивановна")
	typeInto(s.phone, "+7 918 000-00-00")
	typeInto(s.consentBy, "Сидорова М. П.")
	if !s.consent.Checked {
		test.Tap(s.consent)
	}
}

func TestRegisterChildThroughTheForm(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	s := newChildrenScreen(w.db, w.prov, w.clock)
	win := show(t, s.content)

	if got := s.mun.sel.Selected; !strings.HasPrefix(got, "27 — ") {
		t.Errorf("municipality offered = %q, want the provider's (27)", got)
	}
	if got := s.consentOn.text(); got != "10.11.2026" {
		t.Errorf("consent date offered = %q, want today", got)
	}
	fillChild(s, "Петров", "Иван", "10.03.2015")
	tapButton(t, win, "Зарегистрировать")

	kids := listRec[app.Child](w, app.IdxName, "петров иван")
	if len(kids) != 1 {
		t.Fatalf("%d children stored, want 1: %s", len(kids), s.status.Text)
	}
	ch := kids[0]
	if ch.FullName() != "Петров Иван Сергеевич" || ch.BirthDate != app.MustDate("2015-03-10") || ch.Municipality != "27" ||
		ch.ConsentDate != app.MustDate("2026-11-10") || ch.ConsentBy != "Сидорова М. П." || ch.GuardianPhone != "+7 918 000-00-00" {
		t.Errorf("stored child = %+v", ch)
	}
	// The new child is found and chosen, ready for the certificate.
	if !s.chosen || s.current.child.ID != ch.ID || s.last.text() != "" {
		t.Fatalf("after registration: chosen %v (%s), form %q", s.chosen, s.current.child.ID, s.last.text())
	}
	if s.issue.Disabled() || !s.financing.Disabled() {
		t.Errorf("issue disabled %v, financing disabled %v", s.issue.Disabled(), s.financing.Disabled())
	}

	test.Tap(s.issue)
	if !s.current.hasCert || s.current.cert.Number != "26-27-000001" || s.current.cert.Type != app.CertAccounting {
		t.Fatalf("certificate = %+v", s.current.cert)
	}
	if !strings.Contains(s.status.Text, "26-27-000001") {
		t.Errorf("status = %q", s.status.Text)
	}
	// A provider's certificate waits for the municipality (RULES.md §3): no
	// financing until it is confirmed.
	cert := s.current.cert
	if !cert.Unconfirmed || !strings.Contains(s.current.certText(), "не подтверждён муниципалитетом") || !s.financing.Disabled() {
		t.Errorf("unconfirmed %v, row %q, financing disabled %v", cert.Unconfirmed, s.current.certText(), s.financing.Disabled())
	}
	// The code is shown once; the store has its hash, the op carries no code.
	code := shownCode(t, win)
	if got := getRec[app.CertCode](w, cert.ID); got.Hash != app.CodeHash(cert.ID, code) {
		t.Errorf("stored hash %q is not the hash of the shown code %q", got.Hash, code)
	}
	ops, err := w.db.PendingOps(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if strings.Contains(string(op.Payload), code) {
			t.Errorf("op %s carries the code in clear", op.Type)
		}
	}
	name, data, err := certExtract(w.db, cert.ID, code, w.clock)
	isPDF(t, "extract", data, err)
	if name != "Выписка с кодом сертификата 26-27-000001.pdf" {
		t.Errorf("extract file = %q", name)
	}
	tapButton(t, win, "Закрыть")

	w.confirm(cert.ID)
	s.refresh() // the tab comes into view again after the sync
	test.Tap(s.financing)
	if s.current.cert.Type != app.CertFinancing {
		t.Fatalf("certificate type = %s: %s", s.current.cert.Type, s.status.Text)
	}
	if want := "Сертификат 26-27-000001 · финансирования · остаток 5\u00a0000,00\u00a0₽"; s.current.certText() != want {
		t.Errorf("row = %q, want %q", s.current.certText(), want)
	}
	if !s.financing.Disabled() {
		t.Error("financing can be asked twice")
	}
}

func TestRegisterOnEnter(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	s := newChildrenScreen(w.db, w.prov, w.clock)
	show(t, s.content)
	fillChild(s, "Сидоров", "Пётр", "01.01.2012")
	pressEnter(s.consentBy.entry)
	if kids := listRec[app.Child](w, app.IdxName, "сидоров петр"); len(kids) != 1 {
		t.Fatalf("Enter did not register: %s", s.status.Text)
	}
}

// Bad input is caught at the field, with a Russian message, and nothing is
// saved: the outbox stays as it was.
func TestRegisterChildBadInputCaughtAtTheField(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(s *childrenScreen)
		field func(s *childrenScreen) *field
		want  string
	}{
		{"ChildIsFour", func(s *childrenScreen) { typeInto(s.birth, "11.11.2021") },
			func(s *childrenScreen) *field { return s.birth },
			"Возраст ребёнка на 10.11.2026 — 4 года: сертификат и зачисление доступны детям от 5 до 18 лет"},
		{"ChildIsEighteen", func(s *childrenScreen) { typeInto(s.birth, "10.11.2008") },
			func(s *childrenScreen) *field { return s.birth },
			"Возраст ребёнка на 10.11.2026 — 18 лет: сертификат и зачисление доступны детям от 5 до 18 лет"},
		{"EmptyLastName", func(s *childrenScreen) { s.last.entry.SetText("") },
			func(s *childrenScreen) *field { return s.last }, "Укажите фамилию ребёнка"},
		{"EmptyFirstName", func(s *childrenScreen) { typeInto(s.first, "   ") },
			func(s *childrenScreen) *field { return s.first }, "Укажите имя ребёнка"},
		{"BadBirthDate", func(s *childrenScreen) { typeInto(s.birth, "31.02.2015") },
			func(s *childrenScreen) *field { return s.birth },
			"Такой даты нет: 31.02.2015 (поле «дата рождения»)"},
		{"BadPhone", func(s *childrenScreen) { typeInto(s.phone, "позвонить маме") },
			func(s *childrenScreen) *field { return s.phone },
			"Неверный телефон «позвонить маме»: только цифры, например +7 918 123-45-67"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			test.NewTempApp(t)
			w := newProvWorld(t, "2026-11-10")
			s := newChildrenScreen(w.db, w.prov, w.clock)
			win := show(t, s.content)
			fillChild(s, "Петров", "Иван", "10.03.2015")
			tc.edit(s)
			before := w.outbox()
			tapButton(t, win, "Зарегистрировать")
			f := tc.field(s)
			if !f.msg.Visible() || f.msg.Text != tc.want {
				t.Errorf("field message = %q (visible %v), want %q", f.msg.Text, f.msg.Visible(), tc.want)
			}
			// The status does not repeat the field's message (issue 11).
			if s.status.Text != "Ребёнок не зарегистрирован: исправьте поля, отмеченные красным" {
				t.Errorf("status = %q", s.status.Text)
			}
			if after := w.outbox(); after != before {
				t.Errorf("outbox grew by %d", after-before)
			}
			if kids := listRec[app.Child](w, app.IdxName, ""); len(kids) != 0 {
				t.Errorf("%d children stored", len(kids))
			}
		})
	}
}

func TestRegisterChildWithoutConsent(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	s := newChildrenScreen(w.db, w.prov, w.clock)
	win := show(t, s.content)
	fillChild(s, "Петров", "Иван", "10.03.2015")
	test.Tap(s.consent) // unticks it
	before := w.outbox()
	tapButton(t, win, "Зарегистрировать")
	if !s.consentMsg.Visible() || w.outbox() != before {
		t.Errorf("consent message visible %v, outbox +%d", s.consentMsg.Visible(), w.outbox()-before)
	}
}

func TestSearchByNameAndCertificateNumber(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	w.financed("Петров", "Иван")
	w.financed("Петрова", "Мария")
	w.financed("Иванов", "Пётр")
	f := newChildFinder(w.db, nil)
	show(t, f.content)

	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"Prefix", "Петр", []string{"Петров Иван Сергеевич", "Петрова Мария Сергеевич"}},
		{"LowerCaseAndYo", "иванов петр", []string{"Иванов Пётр Сергеевич"}},
		{"CertificateNumber", "26-27-00000", []string{"Петров Иван Сергеевич", "Петрова Мария Сергеевич", "Иванов Пётр Сергеевич"}},
		{"WholeNumber", "26-27-000002", []string{"Петрова Мария Сергеевич"}},
		{"Nobody", "Сидоров", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.query.SetText("")
			test.Type(f.query, tc.query)
			var got []string
			for _, r := range f.rows {
				got = append(got, r.child.FullName())
			}
			if strings.Join(got, ";") != strings.Join(tc.want, ";") {
				t.Errorf("rows = %q, want %q (%s)", got, tc.want, f.info.Text)
			}
		})
	}
}

// On a node the server decides financing: the request waits as «ожидает РМЦ».
func TestFinancingRequestOnANodeAwaitsTheServer(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	child, cert := w.id("child"), w.id("cert")
	w.must(&app.RegisterChild{Child: app.Child{ID: child, LastName: "Петров", FirstName: "Иван",
		BirthDate: app.MustDate("2015-03-10"), Municipality: "27", GuardianName: "Петрова А. И.",
		ConsentDate: app.MustDate("2026-09-01"), ConsentBy: "Сидорова М. П."}})
	w.must(&app.IssueCertificate{ID: cert, Child: child})
	w.confirm(cert)
	if err := w.db.SetScope(app.ProviderScope(w.prov), false); err != nil {
		t.Fatal(err)
	}
	s := newChildrenScreen(w.db, w.prov, w.clock)
	show(t, s.content)
	chooseChild(t, s.finder, "Петров", child)
	test.Tap(s.financing)
	if !s.current.pending || !strings.Contains(s.current.certText(), "ожидает РМЦ") {
		t.Errorf("row = %q", s.current.certText())
	}
	if !strings.Contains(s.status.Text, "ожидает РМЦ") {
		t.Errorf("status = %q", s.status.Text)
	}
	if !s.financing.Disabled() {
		t.Error("a second request can be made while one waits")
	}
}

// chooseChild finds the child by the start of the surname and picks the row.
func chooseChild(t *testing.T, f *childFinder, query, childID string) {
	t.Helper()
	f.query.SetText("")
	test.Type(f.query, query)
	for i, r := range f.rows {
		if r.child.ID == childID {
			f.list.Select(i)
			return
		}
	}
	t.Fatalf("search «%s» did not find %s among %d rows", query, childID, len(f.rows))
}

// shownCode is the certificate code in the dialog over the window, without
// the space that splits it for reading.
func shownCode(t *testing.T, win fyne.Window) string {
	t.Helper()
	top := win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog with the code")
	}
	code := ""
	walk(top, func(o fyne.CanvasObject) bool {
		if tx, ok := o.(*canvas.Text); ok && tx.TextStyle.Monospace {
			code = strings.ReplaceAll(tx.Text, " ", "")
			return false
		}
		return true
	})
	if len(code) != app.CodeLen || app.NormalizeCode(code) != code {
		t.Fatalf("code shown = %q", code)
	}
	return code
}
