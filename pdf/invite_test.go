package pdf_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kruzhok/app"
	"kruzhok/pdf"
)

// The invite sheet names the server and the code as typed, and says when
// the code starts to work; pdftotext reads them back.
func TestInviteSheet(t *testing.T) {
	code := "7K3M-Q2ZD-9XWT-B4RE-HN6P-0S1A-CF8V-JY5G-M2T3"
	data, err := pdf.Invite(pdf.InviteSheet{For: "ИП Иванова", By: "Муниципалитет 27", Server: "https://rmc.example.ru:8443",
		Code: code, Created: app.NewDate(2026, 12, 8)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "%PDF-") {
		t.Fatalf("not a PDF: %q", data[:8])
	}
	if _, err := pdf.Invite(pdf.InviteSheet{Server: " "}); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("sheet without a code: %v", err)
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is missing")
		}
		t.Skip("pdftotext is not installed")
	}
	file := filepath.Join(t.TempDir(), "invite.pdf")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"https://rmc.example.ru:8443", "7K3M-Q2ZD-9XWT", "M2T3", "ИП Иванова", "синхронизируется"} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet lacks %q:\n%s", want, text)
		}
	}
}
