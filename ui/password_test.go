//go:build !nogui

package ui

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"kruzhok/keys"
)

// «Сменить пароль…» re-wraps the key: a wrong current password changes
// nothing; then the new password opens the key and the old does not.
func TestChangePasswordRewrapsTheKey(t *testing.T) {
	test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	key, err := keys.Create(path, keys.Password("старый пароль"))
	if err != nil {
		t.Fatal(err)
	}
	c := newPasswordChange(path)
	c.async = func(f func()) { f() }
	show(t, c.content)
	set := func(old, pass, again string) {
		c.old.SetText(old)
		c.pass.SetText(pass)
		c.again.SetText(again)
		test.Tap(c.submit)
	}
	set("не тот пароль", "новый пароль", "новый пароль")
	if !strings.HasPrefix(c.status.Text, "Неверный пароль") {
		t.Errorf("wrong current password: %q", c.status.Text)
	}
	set("старый пароль", "новый", "новый")
	if !strings.Contains(c.status.Text, "не короче 8") {
		t.Errorf("short new password: %q", c.status.Text)
	}
	if _, err := keys.Open(path, keys.Password("старый пароль")); err != nil {
		t.Fatalf("the key changed on a refused change: %v", err)
	}
	set("старый пароль", "новый пароль", "новый пароль")
	if c.status.Text != "Пароль изменён" {
		t.Errorf("status %q", c.status.Text)
	}
	got, err := keys.Open(path, keys.Password("новый пароль"))
	if err != nil || !bytes.Equal(got, key) {
		t.Errorf("the new password opens %x, %v; want the same data key", got, err)
	}
	if _, err := keys.Open(path, keys.Password("старый пароль")); err == nil {
		t.Error("the old password still opens the key")
	}
}

// The top bar offers «Сменить пароль…» on a database with a key file only.
func TestTopBarOffersPasswordChangeForAKeyedDatabase(t *testing.T) {
	test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	st := newTestStore(t, "region")
	if b := newTopBar(st, Options{DataPath: path}, nil); b.passwd != nil {
		t.Error("«Сменить пароль…» on a database without a key file")
	}
	if _, err := keys.Create(path, keys.Password("пароль базы")); err != nil {
		t.Fatal(err)
	}
	if b := newTopBar(st, Options{DataPath: path}, nil); b.passwd == nil {
		t.Error("no «Сменить пароль…» on a database with a key file")
	}
}
