//go:build !nogui

package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"kruzhok/app"
	"kruzhok/store"
)

// providerRegistered is a child of Ставрополь that the active provider's
// node registered with a certificate (so unconfirmed, RULES.md §3), whose
// code is code; the world stays the municipality's node.
func (w *rgWorld) providerRegistered(last, first, code string) (child, cert string) {
	w.t.Helper()
	child, cert = w.id("child"), w.id("cert")
	if err := w.db.SetScope(app.ProviderScope(w.provActive), true); err != nil {
		w.t.Fatal(err)
	}
	w.must(&app.RegisterChild{Child: app.Child{ID: child, LastName: last, FirstName: first,
		BirthDate: app.MustDate("2016-04-12"), Municipality: "27", GuardianName: "Законный представитель",
		ConsentDate: app.MustDate("2026-11-20"), ConsentBy: "Исполнитель"}})
	w.must(&app.IssueCertificate{ID: cert, Child: child, CodeHash: app.CodeHash(cert, code)})
	if err := w.db.SetScope(app.MunicipalityScope("27"), true); err != nil {
		w.t.Fatal(err)
	}
	return child, cert
}

// The МОЦ sees the certificates a provider registered, checks the
// documents and confirms one: from then on it can be financed.
func TestConfirmCertificateThroughTheList(t *testing.T) {
	test.NewTempApp(t)
	w := munWorld(t)
	_, cert := w.providerRegistered("Орлова", "Вера", "ABCD2345")
	s := newConfirmScreen(w.db, "27", w.clock)
	win := rgShow(t, s.content)
	s.refresh()
	if rows, _ := s.size(); rows != 1 {
		t.Fatalf("%d certificates wait, want 1", rows)
	}
	for col, want := range []string{"26-27-000006", "Орлова Вера", "12.04.2016", "27.11.2026", "АНО ДО «Робототехника»"} {
		if got := s.cell(0, col); got != want {
			t.Errorf("cell(0,%d) = %q, want %q", col, got, want)
		}
	}
	if !s.confirm.Disabled() {
		t.Error("«Подтвердить…» is enabled with nothing chosen")
	}
	s.table.Select(widgetCell(0, 1))
	before := w.outbox()
	tapButton(t, win, "Подтвердить…")
	if got := rgGet[app.Certificate](w, cert); !got.Unconfirmed {
		t.Fatal("confirmed before the person said the documents were checked")
	}
	tapButton(t, win, "Подтвердить") // the dialog's button
	if got := rgGet[app.Certificate](w, cert); got.Unconfirmed {
		t.Fatalf("certificate still unconfirmed: %s", s.status.Text)
	}
	if w.outbox() != before+1 {
		t.Errorf("outbox +%d, want the one confirm_certificate", w.outbox()-before)
	}
	if rows, _ := s.size(); rows != 0 || !strings.Contains(s.status.Text, "подтверждён") {
		t.Errorf("after confirming: %d rows, status %q", rows, s.status.Text)
	}
	w.must(&app.RequestFinancing{ID: w.id("req"), Certificate: cert}) // no longer CERTIFICATE_UNCONFIRMED
}

// A new code replaces the old one: the dialog shows it once, the store keeps
// only its hash, and the certificates' registry offers it too.
func TestNewCertificateCodeIsShownOnce(t *testing.T) {
	test.NewTempApp(t)
	w := munWorld(t)
	_, cert := w.providerRegistered("Орлова", "Вера", "ABCD2345")
	s := newConfirmScreen(w.db, "27", w.clock)
	win := rgShow(t, s.content)
	s.refresh()
	s.table.Select(widgetCell(0, 0))
	tapButton(t, win, "Выдать новый код…")
	tapButton(t, win, "Выдать новый код")
	code := shownCode(t, win)
	if code == "ABCD2345" {
		t.Fatal("the new code is the old one")
	}
	if got := rgGet[app.CertCode](w, cert).Hash; got != app.CodeHash(cert, code) || got == app.CodeHash(cert, "ABCD2345") {
		t.Errorf("stored hash %q is not the new code's", got)
	}
	if findButton(win.Canvas().Overlays().Top(), "Сохранить выписку с кодом (PDF)…") == nil {
		t.Error("the code dialog does not offer the extract")
	}
	_, data, err := certExtract(w.db, cert, code, w.clock)
	isPDF(t, "extract", data, err)
	tapButton(t, win, "Закрыть")

	reg := newCertificatesScreen(w.db, "27", w.clock)
	rgShow(t, reg.content)
	reg.refresh()
	reg.query.SetText("орлова")
	if rows, _ := reg.size(); rows != 1 || reg.cell(0, 3) != "не подтверждён" {
		t.Fatalf("registry: %d rows, status %q", rows, reg.cell(0, 3))
	}
	if !reg.newCode.Disabled() {
		t.Error("«Выдать новый код…» is enabled with nothing chosen")
	}
	reg.table.Select(widgetCell(0, 0))
	if reg.newCode.Disabled() {
		t.Error("«Выдать новый код…» is disabled for a chosen certificate")
	}
}

// provNode is the provider's world as a node that syncs with a server: it
// decides nothing the server decides.
func provNode(t *testing.T) *provWorld {
	t.Helper()
	w := newProvWorld(t, "2026-11-10")
	if err := w.db.SetScope(app.ProviderScope(w.prov), false); err != nil {
		t.Fatal(err)
	}
	return w
}

// A provider types the number and the code as the guardian reads them; the
// node records the search for the server with the code normalised, says it
// waits, and later shows the server's refusal in Russian.
func TestFindChildByCertificateWaitsForTheServer(t *testing.T) {
	test.NewTempApp(t)
	w := provNode(t)
	s := newChildrenScreen(w.db, w.prov, w.clock)
	win := show(t, s.content)

	before := w.outbox()
	typeInto(s.byNumber, "26-27-000001")
	typeInto(s.byCode, "abc")
	tapButton(t, win, "Найти по сертификату")
	if !s.byCode.msg.Visible() || !strings.Contains(s.byCode.msg.Text, "Код — 8") || w.outbox() != before {
		t.Fatalf("a short code: message %q, outbox +%d", s.byCode.msg.Text, w.outbox()-before)
	}

	typeInto(s.byCode, "abcd-2345")
	tapButton(t, win, "Найти по сертификату")
	ops, err := w.db.PendingOps(0)
	if err != nil {
		t.Fatal(err)
	}
	last := ops[len(ops)-1]
	cmd, err := store.DecodeCommand(last.Type, last.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := cmd.(*app.ApplyChild); !ok || c.Number != "26-27-000001" || c.Code != "ABCD2345" || c.Provider != w.prov {
		t.Fatalf("pending op = %s %+v", last.Type, cmd)
	}
	if !strings.Contains(s.applies.Text, "Сертификат 26-27-000001 — ожидает РМЦ") {
		t.Errorf("searches = %q", s.applies.Text)
	}
	if s.byNumber.text() != "" || s.byCode.text() != "" {
		t.Error("the code stays typed in the form")
	}

	// The server answers the one message of every failed lookup.
	if err := w.db.RecordResults(last.Seq, []store.Result{{Seq: last.Seq, Status: store.StatusRejected, Code: app.ENOTFOUND,
		Message: "Сертификат с таким номером и кодом не найден. Проверьте номер и код в выписке из реестра сертификатов"}}); err != nil {
		t.Fatal(err)
	}
	s.refresh()
	for _, want := range []string{"отказ сервера: Сертификат с таким номером и кодом не найден", "после пяти за час"} {
		if !strings.Contains(s.applies.Text, want) {
			t.Errorf("searches lack %q: %q", want, s.applies.Text)
		}
	}
}

// Where the server decides at once, the right code finds the child and the
// wrong one is refused with the one message.
func TestFindChildByCertificateOnTheServer(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	child, cert := w.id("child"), w.id("cert")
	w.as(app.MunicipalityScope("27"),
		&app.RegisterChild{Child: app.Child{ID: child, LastName: "Орлова", FirstName: "Вера",
			BirthDate: app.MustDate("2016-04-12"), Municipality: "27", GuardianName: "Орлова Анна",
			ConsentDate: app.MustDate("2026-11-01"), ConsentBy: "МОЦ"}},
		&app.IssueCertificate{ID: cert, Child: child, CodeHash: app.CodeHash(cert, "ABCD2345")})
	s := newChildrenScreen(w.db, w.prov, w.clock)
	win := show(t, s.content)

	typeInto(s.byNumber, "26-27-000001")
	typeInto(s.byCode, "ABCD 2346")
	tapButton(t, win, "Найти по сертификату")
	if !strings.Contains(s.applies.Text, "не найден") {
		t.Errorf("wrong code: %q", s.applies.Text)
	}
	typeInto(s.byCode, "abcd 2345")
	tapButton(t, win, "Найти по сертификату")
	if got := getRec[app.Child](w, child); len(got.Providers) != 1 || got.Providers[0] != w.prov {
		t.Fatalf("the child's providers = %q: %s", got.Providers, s.applies.Text)
	}
	if !s.chosen || s.current.child.ID != child || !strings.Contains(s.applies.Text, "Ребёнок найден: Орлова Вера") {
		t.Errorf("chosen %v %s, %q", s.chosen, s.current.child.ID, s.applies.Text)
	}
}

// A provider changes the guardian's phone with the one command it may push
// (RULES.md §11); the rest of the child is read-only for it.
func TestProviderChangesOnlyTheGuardiansPhone(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	child, _ := w.financed("Петров", "Иван")
	s := newChildrenScreen(w.db, w.prov, w.clock)
	win := show(t, s.content)
	if !s.savePhone.Disabled() {
		t.Error("«Сохранить телефон» is enabled with no child chosen")
	}
	chooseChild(t, s.finder, "Петров", child)
	if s.phoneEdit.text() != "+7 918 000-00-00" {
		t.Errorf("phone offered = %q", s.phoneEdit.text())
	}
	typeInto(s.phoneEdit, "+7 928 111-22-33")
	tapButton(t, win, "Сохранить телефон")
	if got := getRec[app.Child](w, child); got.GuardianPhone != "+7 928 111-22-33" || got.LastName != "Петров" {
		t.Fatalf("child = %+v: %s", got, s.status.Text)
	}
	ops, err := w.db.PendingOps(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if op.Type == "update_child" {
			t.Error("the provider's node pushed update_child")
		}
	}
	if ops[len(ops)-1].Type != "set_guardian_phone" {
		t.Errorf("last op = %s", ops[len(ops)-1].Type)
	}
}

// The provider declines a child's application after a question; the button
// then stays off, and the op is queued for the server.
func TestProviderDeclinesAnApplication(t *testing.T) {
	test.NewTempApp(t)
	w := newProvWorld(t, "2026-11-10")
	child, cert := w.financed("Петров", "Иван")
	s := newChildrenScreen(w.db, w.prov, w.clock)
	win := show(t, s.content)
	if !s.decline.Disabled() {
		t.Error("«Отклонить заявление…» is enabled with no child chosen")
	}
	chooseChild(t, s.finder, "Петров", child)
	tapButton(t, win, "Отклонить заявление…")
	if d := getRec[app.Certificate](w, cert).Declined; len(d) != 0 {
		t.Fatal("declined before the person said so")
	}
	tapButton(t, win, "Отклонить") // the dialog's button
	d := getRec[app.Certificate](w, cert).Declined
	if len(d) != 1 || d[0].Provider != w.prov || d[0].Date != app.MustDate("2026-11-10") {
		t.Fatalf("declined = %+v: %s", d, s.status.Text)
	}
	if !s.decline.Disabled() {
		t.Error("«Отклонить заявление…» still enabled after the refusal")
	}
	ops, err := w.db.PendingOps(0)
	if err != nil {
		t.Fatal(err)
	}
	if ops[len(ops)-1].Type != "decline_application" {
		t.Errorf("last op = %s", ops[len(ops)-1].Type)
	}
}

// pushAs joins a node of the scope to the region's server and pushes the
// commands as its ops, the way a sync does; it returns the results.
func (w *rgWorld) pushAs(node, scope string, cmds ...app.Command) []store.Result {
	w.t.Helper()
	secret := sha256.Sum256([]byte("invite " + node))
	key := sha256.Sum256([]byte("key " + node))
	w.must(&app.CreateInvite{Hash: hex.EncodeToString(secret[:]), Scope: scope})
	w.must(&app.JoinNode{Hash: hex.EncodeToString(secret[:]), Node: node, Key: hex.EncodeToString(key[:])})
	var ops []app.Op
	for i, c := range cmds {
		payload, err := store.EncodeCommand(c)
		if err != nil {
			w.t.Fatal(err)
		}
		ops = append(ops, app.Op{Node: node, Seq: uint64(i + 1), HLC: uint64(i + 1), Type: c.Op(), Payload: payload})
	}
	_, rs, _, err := w.db.ApplyRemote(app.Node{ID: node, Scope: scope}, ops)
	if err != nil {
		w.t.Fatal(err)
	}
	return rs
}

// The region sees the nodes the server refused: a provider that edited a
// child and guessed codes, a municipality that confirmed another's
// certificate; newest first, in Russian.
func TestRegionAlertsNewestFirst(t *testing.T) {
	test.NewTempApp(t)
	w := newRgWorld(t, "2026-11-27")
	w.fill()
	ch := rgGet[app.Child](w, rgGet[app.Certificate](w, w.certs[0]).Child)
	ch.LastName = "Подменный"
	prov := "0197b2c4-0000-7000-8000-0000000b0001"
	cmds := []app.Command{&app.UpdateChild{Child: ch}}
	for range app.CodeTries {
		cmds = append(cmds, &app.ApplyChild{Number: "26-27-000002", Code: "ZZZZ2222", Provider: w.provActive})
	}
	rs := w.pushAs(prov, app.ProviderScope(w.provActive), cmds...)
	if rs[0].Code != app.SCOPE_FORBIDDEN || rs[len(rs)-1].Code != app.THROTTLED && rs[len(rs)-1].Code != app.ENOTFOUND {
		t.Fatalf("results = %+v", rs)
	}
	w.now = w.now.Add(90 * 60e9) // an hour and a half later
	mun := "0197b2c4-0000-7000-8000-0000000b0002"
	w.pushAs(mun, app.MunicipalityScope("33"), &app.ConfirmCertificate{Certificate: w.certs[1]})

	s := newAlertsScreen(w.db, w.clock)
	rgShow(t, s.content)
	s.refresh()
	want := [][]string{
		{"27.11.2026", "…0b0002", "муниципалитет 33", "попытка действия вне своих прав", "Подтверждение сертификата", "1", "11:30"},
	}
	if rows, _ := s.size(); rows != 3 {
		t.Fatalf("%d alerts, want 3: %+v", rows, s.rows)
	}
	for col, cell := range want[0] {
		if got := s.cell(0, col); got != cell {
			t.Errorf("cell(0,%d) = %q, want %q", col, got, cell)
		}
	}
	var what []string
	for row := 1; row < 3; row++ {
		if s.cell(row, 2) != "исполнитель АНО ДО «Робототехника»" {
			t.Errorf("row %d scope = %q", row, s.cell(row, 2))
		}
		what = append(what, s.cell(row, 3)+" · "+s.cell(row, 4))
	}
	joined := strings.Join(what, "; ")
	for _, w := range []string{"попытка действия вне своих прав · Изменение данных ребёнка", "подбор кода сертификата · Заявление ребёнка к исполнителю"} {
		if !strings.Contains(joined, w) {
			t.Errorf("alerts lack %q: %s", w, joined)
		}
	}
	if !strings.Contains(s.summary.Text, "Уведомлений: 3") {
		t.Errorf("summary = %q", s.summary.Text)
	}
}

// A negative final invoice is the provider's refund (RULES.md §8): the МОЦ
// records it as received, not paid.
func TestMunicipalityRecordsARefund(t *testing.T) {
	test.NewTempApp(t)
	w := munWorld(t)
	for _, d := range []string{"2026-11-03", "2026-11-10", "2026-11-17"} {
		w.must(&app.CancelLesson{Group: w.group, Date: app.MustDate(d), Start: 15 * 60, Cancelled: true})
	}
	w.setToday("2026-12-01")
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, time.December)})
	fin := app.InvoiceID(w.provActive, "27", app.MonthOf(2026, time.November), app.InvFinal)
	if got := rgGet[app.Invoice](w, fin); got.Amount >= 0 {
		t.Fatalf("final = %d, want a refund", got.Amount)
	}
	w.must(&app.SubmitInvoice{Invoice: fin})
	w.must(&app.ApproveInvoice{Invoice: fin})

	s := newMunInvoicesScreen(w.db, "27", w.clock)
	rgShow(t, s.content)
	s.refresh()
	s.filter.SetSelected(invToPay)
	for i, inv := range s.rows {
		if inv.ID == fin {
			s.table.Select(widgetCell(i, 0))
		}
	}
	rgTap(t, s.content, "Отметить получение возврата")
	if got := rgGet[app.Invoice](w, fin); got.Status != app.InvRefunded {
		t.Errorf("status = %s: %s", got.Status, s.status.Text)
	}
}

// The municipality erases a child's personal data from its registry, after a
// question; the certificate stays, its holder anonymous.
func TestMunicipalityErasesAChild(t *testing.T) {
	test.NewTempApp(t)
	w := munWorld(t)
	child, cert := w.providerRegistered("Орлова", "Вера", "ABCD2345")
	reg := newCertificatesScreen(w.db, "27", w.clock)
	win := rgShow(t, reg.content)
	reg.refresh()
	reg.query.SetText("орлова")
	if !reg.erase.Disabled() {
		t.Error("«Удалить данные…» is enabled with no certificate chosen")
	}
	reg.table.Select(widgetCell(0, 0))
	tapButton(t, win, "Удалить данные…")
	if got := rgGet[app.Child](w, child); got.LastName != "Орлова" {
		t.Fatal("erased before the person said so")
	}
	tapButton(t, win, "Удалить") // the dialog's button
	got := rgGet[app.Child](w, child)
	if got.LastName != "" || got.FirstName != "" || got.Erased.IsZero() {
		t.Fatalf("child after erasure: %+v (%s)", got, reg.status.Text)
	}
	if c := rgGet[app.Certificate](w, cert); c.Child != child {
		t.Fatalf("the certificate lost its holder id: %+v", c)
	}
	reg.query.SetText("орлова")
	if rows, _ := reg.size(); rows != 0 {
		t.Errorf("the registry still finds «орлова»: %d rows", rows)
	}
}
