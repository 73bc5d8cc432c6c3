package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kruzhok/app"
	"kruzhok/store"
)

// certOf reads a certificate of a demo database, its holder's name and its
// stored code hash ("" when it has none).
func certOf(t *testing.T, path string, pick func(app.Certificate) bool) (app.Certificate, string, string) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var cert app.Certificate
	var name, hash string
	err = db.View(func(r app.Reader) error {
		certs, err := app.List[app.Certificate](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, c := range certs {
			if pick(c) {
				cert = c
				break
			}
		}
		ch, err := app.Get[app.Child](r, cert.Child)
		if err != nil {
			return err
		}
		name = ch.FullName()
		if cc, err := app.Get[app.CertCode](r, cert.ID); err == nil {
			hash = cc.Hash
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cert, name, hash
}

// printedCode is the code the extract prints under its heading, one letter
// to a box (pdftotext spaces them apart).
func printedCode(t *testing.T, text string) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l != "Код сертификата" {
			continue
		}
		for _, next := range lines[i+1:] {
			if next != "" {
				return strings.ReplaceAll(next, " ", "")
			}
		}
	}
	t.Fatalf("no code in the extract:\n%s", text)
	return ""
}

func TestCertificateCode(t *testing.T) {
	data := demoFile(t, 20)
	cert, name, oldHash := certOf(t, data, func(c app.Certificate) bool { return c.Number != "" })
	out := filepath.Join(t.TempDir(), "выписка.pdf")
	exe(t, "certificate", "code", "--data", data, "--id", cert.ID, "--out", out).want(t, 0, "stdout", out)
	text := pdfText(t, out)
	for _, w := range []string{"ВЫПИСКА ИЗ РЕЕСТРА СЕРТИФИКАТОВ", cert.Number, name, "Код показывается один раз"} {
		if !strings.Contains(text, w) {
			t.Errorf("the extract lacks %q:\n%s", w, text)
		}
	}
	code := printedCode(t, text)
	if len(code) != app.CodeLen || app.NormalizeCode(code) != code {
		t.Fatalf("printed code %q", code)
	}
	// The store keeps the new code's hash only: the printed code is the one that works.
	_, _, hash := certOf(t, data, func(c app.Certificate) bool { return c.ID == cert.ID })
	if hash != app.CodeHash(cert.ID, code) || hash == oldHash {
		t.Errorf("stored hash %q, want the hash of the printed code (old %q)", hash, oldHash)
	}
	raw, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), code) {
		t.Error("the code is stored in clear in the database")
	}
	// By number, as a municipal specialist knows it: a new code again.
	exe(t, "certificate", "code", "--data", data, "--number", cert.Number, "--out", out).want(t, 0, "stdout", out)
	again := printedCode(t, pdfText(t, out))
	if _, _, hash := certOf(t, data, func(c app.Certificate) bool { return c.ID == cert.ID }); hash != app.CodeHash(cert.ID, again) || again == code {
		t.Errorf("by number: stored hash %q, printed code %q (before %q)", hash, again, code)
	}
}

func TestCertificateCodeRefuses(t *testing.T) {
	data := demoFile(t, 20)
	out := filepath.Join(t.TempDir(), "x.pdf")
	for _, c := range []struct {
		name string
		args []string
		code int
		text string
	}{
		{"NoAction", []string{"certificate"}, 2, "code"},
		{"NoID", []string{"certificate", "code", "--data", data, "--out", out}, 2, "--id"},
		{"NoOut", []string{"certificate", "code", "--data", data, "--id", "x"}, 2, "--out"},
		{"UnknownCertificate", []string{"certificate", "code", "--data", data, "--id", "no-such", "--out", out}, 1, "не найден"},
		{"UnknownNumber", []string{"certificate", "code", "--data", data, "--number", "26-27-999999", "--out", out}, 1, "не найден"},
		{"IDAndNumber", []string{"certificate", "code", "--data", data, "--id", "x", "--number", "26-27-000001", "--out", out}, 2, "--number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			exe(t, c.args...).want(t, c.code, "stderr", c.text)
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s written by a refused command", out)
	}
}
