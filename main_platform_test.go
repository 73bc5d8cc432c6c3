//go:build !nogui

package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"kruzhok/ui"
)

// Under the C locale (the default of servers, containers and CI) no command
// prints Fyne's "Error parsing user locale": package rulocale sets the
// locale before Fyne reads it, at package init.
func TestNoLocaleNoise(t *testing.T) {
	for _, env := range [][]string{
		{"LANG=C"},
		{"LANG=C.UTF-8"},
		{"LC_ALL=C", "LANG=ru_RU.UTF-8"},
		{"LC_ALL=POSIX", "LANGUAGE=en"},
		{},
	} {
		cmd := exec.Command(kruzhok, "check", "--data", t.TempDir()+"/нет.db")
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		_ = cmd.Run()
		got := stderr.String()
		if strings.Contains(got, "Fyne error") || strings.Contains(got, "locale") {
			t.Errorf("%v: locale noise on stderr:\n%s", env, got)
		}
		if !strings.Contains(got, "нет базы данных") {
			t.Errorf("%v: stderr lacks the command's own message:\n%s", env, got)
		}
	}
}

// Fyne's own words are Russian even when the system's language is one Fyne
// has its own translation for (German here; on Windows the locale comes from
// the system settings, not the environment), and the file dialog's title
// reads as Russian does, «Сохранить файл».
func TestFyneSpeaksRussian(t *testing.T) {
	t.Setenv("LC_MESSAGES", "de_DE.UTF-8")
	t.Setenv("LANGUAGE", "de")
	ui.RussianFyne()
	for en, ru := range map[string]string{
		"Cancel":        "Отмена",
		"Save":          "Сохранить",
		"Open":          "Открыть",
		"Create Folder": "Создать папку",
		"tuesday":       "Вторник",
		"thursday":      "Четверг",
	} {
		if got := lang.L(en); got != ru {
			t.Errorf("lang.L(%q) = %q, want %q", en, got, ru)
		}
	}
	if got := lang.L("Save") + " " + lang.L("File"); got != "Сохранить файл" {
		t.Errorf("file dialog title %q", got)
	}
}

// A failure with no console (kruzhok.exe started from Explorer) is shown in
// a message box: the program's own report lines, without the log around
// them, even when the kept tail of stderr starts inside a letter.
func TestFailureText(t *testing.T) {
	tail := []byte("Ж")[1:]
	got := failureText(append(tail, []byte("time=… level=INFO msg=\"sync not started\"\n"+
		"kruzhok gui: база данных занята другим экземпляром Kruzhok — закройте его и повторите\n")...))
	if got != "kruzhok gui: база данных занята другим экземпляром Kruzhok — закройте его и повторите" {
		t.Errorf("failureText = %q", got)
	}
	if got := failureText([]byte("fatal error: что-то\n")); got != "fatal error: что-то" {
		t.Errorf("failureText without a report line = %q", got)
	}
}
