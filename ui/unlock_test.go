//go:build !nogui

package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/keys"
	"kruzhok/store"
)

// unlockSurname is the child's surname the tests look for in the file's bytes.
const unlockSurname = "Кузнецова-Оболенская"

// seedChild registers a child with unlockSurname in db: the reference data,
// then the child, as a provider would.
func seedChild(t *testing.T, db *store.DB) {
	t.Helper()
	if err := db.SetScope("region", true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(assets.Seed(app.MustDate("2026-11-20"))); err != nil {
		t.Fatal(err)
	}
	if err := db.SetScope(app.ProviderScope("p1"), true); err != nil {
		t.Fatal(err)
	}
	_, err := db.Exec(&app.RegisterChild{Child: app.Child{ID: "child-1", LastName: unlockSurname, FirstName: "Вера",
		BirthDate: app.MustDate("2016-04-12"), Municipality: "27", GuardianName: "Законный представитель",
		ConsentDate: app.MustDate("2026-11-20"), ConsentBy: "Исполнитель"}})
	if err != nil {
		t.Fatal(err)
	}
}

// hasSurname reads the child back through the store.
func hasSurname(t *testing.T, st app.Store) bool {
	t.Helper()
	var c app.Child
	err := st.View(func(r app.Reader) error {
		var err error
		c, err = app.Get[app.Child](r, "child-1")
		return err
	})
	return err == nil && c.LastName == unlockSurname
}

// fileHas reports whether the file at path holds s's bytes anywhere.
func fileHas(t *testing.T, path, s string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte(s))
}

// unlockWorld is an unlock screen on the database at path, running its work
// in place; opened is the store Open returned, closed again by closeStore.
type unlockWorld struct {
	t        *testing.T
	path     string
	s        *unlockScreen
	opened   *store.DB
	progress int
}

func newUnlockWorld(t *testing.T, path string) *unlockWorld {
	w := &unlockWorld{t: t, path: path}
	u := Unlock{DataPath: path, Open: func(key []byte, progress func(int, int)) (app.Store, Options, error) {
		db, err := store.Open(path, store.Options{NoSync: true, DataKey: key, Progress: func(done, total int) {
			w.progress++
			progress(done, total)
		}})
		if err != nil {
			return nil, Options{}, err
		}
		w.opened = db
		return db, Options{DataPath: path}, nil
	}}
	w.s = newUnlockScreen(u, nil)
	w.s.async = func(f func()) { f() }
	w.s.now = func() time.Time { return time.Date(2026, 12, 8, 10, 30, 0, 0, time.UTC) }
	show(t, w.s.content)
	t.Cleanup(w.closeStore)
	return w
}

func (w *unlockWorld) closeStore() {
	if w.opened == nil {
		return
	}
	for _, b := range w.opened.Check(nil) {
		w.t.Errorf("store check: %s", b)
	}
	if err := w.opened.Close(); err != nil {
		w.t.Error(err)
	}
	w.opened = nil
}

func (w *unlockWorld) submit(pass, again string) {
	w.s.pass.SetText(pass)
	w.s.again.SetText(again)
	test.Tap(w.s.submit)
}

// makePlain makes a plaintext database holding the child, as an older
// version left it.
func makePlain(t *testing.T, path string) {
	t.Helper()
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	seedChild(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// makeSealed makes a database sealed under a key for password, holding the child.
func makeSealed(t *testing.T, path, password string) {
	t.Helper()
	key, err := keys.Create(path, keys.Password(password))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path, store.Options{NoSync: true, DataKey: key})
	if err != nil {
		t.Fatal(err)
	}
	seedChild(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// A first start asks for a password before anything else, makes the key
// file, and the database is born sealed: the child's surname is nowhere in
// its bytes.
func TestUnlockFirstStartMakesAKeyAndASealedDatabase(t *testing.T) {
	test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "kruzhok", "kruzhok.db") // the directory does not exist yet
	w := newUnlockWorld(t, path)
	if w.s.mode != unlockNew || !w.s.againBox.Visible() || !rgShows(w.s.content, "невозможно") {
		t.Fatalf("a new database: mode %d, the repeat or the warning missing", w.s.mode)
	}
	for _, c := range []struct{ name, pass, again, want string }{
		{"Short", "1234567", "1234567", "не короче 8"},
		{"Mismatch", "длинный-пароль", "длинный-парол", "не совпали"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w.submit(c.pass, c.again)
			if !strings.Contains(w.s.status.Text, c.want) || w.opened != nil || keys.Exists(path) {
				t.Errorf("status %q, opened %v, key file %v", w.s.status.Text, w.opened != nil, keys.Exists(path))
			}
		})
	}
	w.submit("пароль для детей", "пароль для детей")
	if w.opened == nil {
		t.Fatalf("not opened: %q", w.s.status.Text)
	}
	if !keys.Exists(path) {
		t.Fatal("no key file")
	}
	seedChild(t, w.opened)
	if !hasSurname(t, w.opened) {
		t.Fatal("the child does not read back")
	}
	w.closeStore()
	if fileHas(t, path, unlockSurname) {
		t.Error("the surname is in the database file in plain text")
	}
	if _, err := keys.Open(path, keys.Password("пароль для детей")); err != nil {
		t.Errorf("the key does not open with the password: %v", err)
	}
}

// A wrong password is refused with keys' Russian message, and neither the
// database nor its key file changes; the right one opens it.
func TestUnlockWrongPasswordIsRefusedAndNothingIsWritten(t *testing.T) {
	test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	makeSealed(t, path, "верный пароль")
	dbBefore, _ := os.ReadFile(path)
	keyBefore, _ := os.ReadFile(keys.KeyPath(path))
	w := newUnlockWorld(t, path)
	if w.s.mode != unlockKeyed || w.s.againBox.Visible() || !w.s.forgot.Visible() {
		t.Fatalf("a sealed database: mode %d", w.s.mode)
	}
	w.submit("неверный пароль", "")
	if w.opened != nil {
		t.Fatal("opened with a wrong password")
	}
	if got := w.s.status.Text; !strings.HasPrefix(got, "Неверный пароль") || strings.Contains(got, "wrong password") {
		t.Errorf("status %q", got)
	}
	if w.s.pass.Text != "" || w.s.submit.Disabled() {
		t.Error("after a wrong password the field is not cleared or the button stays off")
	}
	dbAfter, _ := os.ReadFile(path)
	keyAfter, _ := os.ReadFile(keys.KeyPath(path))
	if !bytes.Equal(dbBefore, dbAfter) || !bytes.Equal(keyBefore, keyAfter) {
		t.Error("a wrong password changed the database or its key file")
	}
	w.submit("верный пароль", "")
	if w.opened == nil || !hasSurname(t, w.opened) {
		t.Fatalf("the right password did not open the database: %q", w.s.status.Text)
	}
}

// A plaintext database of an older version asks for a new password, then is
// sealed in place with its progress on the bar: its data stays, its bytes
// no longer hold the surname.
func TestUnlockSealsAPlaintextDatabase(t *testing.T) {
	test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	makePlain(t, path)
	if !fileHas(t, path, unlockSurname) {
		t.Fatal("the plaintext database does not hold the surname: the byte search proves nothing")
	}
	w := newUnlockWorld(t, path)
	if w.s.mode != unlockPlain || !w.s.againBox.Visible() || !rgShows(w.s.content, "не зашифрованы") {
		t.Fatalf("a plaintext database: mode %d", w.s.mode)
	}
	w.submit("новый пароль базы", "новый пароль базы")
	if w.opened == nil {
		t.Fatalf("not opened: %q", w.s.status.Text)
	}
	if w.progress == 0 {
		t.Error("the sealing told no progress")
	}
	if !hasSurname(t, w.opened) {
		t.Error("the child was lost in the sealing")
	}
	w.closeStore()
	if fileHas(t, path, unlockSurname) {
		t.Error("the surname is still in the database file after sealing")
	}
	if !keys.Exists(path) {
		t.Error("no key file")
	}
}

// «Забыли пароль?» puts the database and its key file aside, under names
// that still open together, and the screen becomes a first start.
func TestUnlockForgottenPasswordPutsTheDatabaseAside(t *testing.T) {
	test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	makeSealed(t, path, "забытый пароль")
	w := newUnlockWorld(t, path)
	w.s.startOver()
	aside := path + ".forgotten-20261208-103000"
	if fileExists(path) || keys.Exists(path) {
		t.Error("the database or its key is still in place")
	}
	if _, err := keys.Open(aside, keys.Password("забытый пароль")); err != nil || !fileExists(aside) {
		t.Errorf("the database put aside does not open with its key: %v", err)
	}
	if w.s.mode != unlockNew || !strings.Contains(w.s.status.Text, aside) {
		t.Errorf("after starting over: mode %d, status %q", w.s.mode, w.s.status.Text)
	}
}

// TestScreenshotsOfUnlock draws the unlock screen of a sealed database and
// the password screen of a first start at 1024×600 into
// $KRUZHOK_SCREENSHOTS; without it the test is skipped.
func TestScreenshotsOfUnlock(t *testing.T) {
	dir := os.Getenv("KRUZHOK_SCREENSHOTS")
	if dir == "" {
		t.Skip("KRUZHOK_SCREENSHOTS is not set")
	}
	for _, c := range []struct {
		name   string
		sealed bool
	}{{"unlock", true}, {"unlock-new", false}} {
		t.Run(c.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			test.ApplyTheme(t, theme.DefaultTheme())
			path := filepath.Join(t.TempDir(), "kruzhok.db")
			if c.sealed {
				if _, err := keys.Create(path, keys.Password("пароль базы")); err != nil {
					t.Fatal(err)
				}
			}
			win := newUnlockWindow(a, Unlock{DataPath: path})
			defer win.Close()
			s := newUnlockScreen(Unlock{DataPath: path}, nil)
			s.where.SetText("База: /home/moc/.config/kruzhok/kruzhok.db") // the usual name, not the temporary one
			win.SetContent(s.content)
			win.Resize(fyne.NewSize(1024, 600))
			screenshot(t, win, dir, c.name)
		})
	}
}
