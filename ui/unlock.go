//go:build !nogui

package ui

import (
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/keys"
)

// minPasswordLen is the shortest password the window accepts for a new key.
const minPasswordLen = 8

// unlockMode is what the database on disk asks of the unlock screen.
type unlockMode int

const (
	// unlockNew: no database yet — choose a password, the database is born sealed.
	unlockNew unlockMode = iota
	// unlockPlain: a plaintext database of an older version — choose a
	// password, and the database is sealed in place.
	unlockPlain
	// unlockKeyed: a key file — enter its password.
	unlockKeyed
)

// modeOf tells the unlock screen's mode from the files at path.
func modeOf(path string) unlockMode {
	switch {
	case keys.Exists(path):
		return unlockKeyed
	case fileExists(path):
		return unlockPlain
	}
	return unlockNew
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// unlockScreen comes before anything else on a database under a data key
// (issue 10): it creates the key of a new or plaintext database, or unwraps
// the key of a sealed one, then opens the store through Unlock.Open. The KDF
// (about half a second) and the sealing of a plaintext database run off the
// UI goroutine.
type unlockScreen struct {
	u    Unlock
	mode unlockMode
	done func(st app.Store, opts Options)

	title    *widget.Label
	intro    *widget.Label
	warning  *widget.Label
	where    *widget.Label
	pass     *widget.Entry
	again    *widget.Entry
	againBox *fyne.Container
	submit   *widget.Button
	forgot   *widget.Button
	progress *widget.ProgressBar
	status   *widget.Label
	busy     bool
	content  fyne.CanvasObject

	// async runs the work off the UI goroutine (tests run it in place).
	async func(func())
	// now names the files put aside by «Забыли пароль?».
	now func() time.Time
}

func newUnlockScreen(u Unlock, done func(app.Store, Options)) *unlockScreen {
	s := &unlockScreen{u: u, done: done, status: newStatus(), progress: widget.NewProgressBar(),
		async: func(f func()) { go f() }, now: time.Now}
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.title.SizeName = theme.SizeNameHeadingText
	s.intro = wrapped("")
	s.warning = wrapped("")
	s.warning.Importance = widget.WarningImportance
	s.pass = widget.NewPasswordEntry()
	s.again = widget.NewPasswordEntry()
	s.pass.OnSubmitted = func(string) { s.onSubmit() }
	s.again.OnSubmitted = func(string) { s.onSubmit() }
	s.againBox = container.NewVBox(widget.NewLabel("Повторите пароль"), s.again)
	s.submit = widget.NewButton("", s.onSubmit)
	s.submit.Importance = widget.HighImportance
	s.forgot = widget.NewButton("Забыли пароль?", s.onForgot)
	s.forgot.Importance = widget.LowImportance
	s.progress.Hide()

	s.where = wrapped("База: " + u.DataPath)
	s.where.Importance = widget.LowImportance
	body := container.NewVBox(s.title, s.intro, s.warning, s.where,
		widget.NewLabel("Пароль"), s.pass, s.againBox,
		container.NewHBox(s.submit, s.forgot), s.progress, s.status)
	// A column of readable width in the middle of the window.
	side := canvas.NewRectangle(color.Transparent)
	side.SetMinSize(fyne.NewSize(160, 0))
	side2 := canvas.NewRectangle(color.Transparent)
	side2.SetMinSize(fyne.NewSize(160, 0))
	s.content = container.NewVScroll(container.NewPadded(container.NewBorder(nil, nil, side, side2, body)))
	s.setMode(modeOf(u.DataPath))
	return s
}

// warnForgotten is what a forgotten password costs: said before one is chosen.
const warnForgotten = "Восстановить забытый пароль невозможно. Если его забыть, пропадут только изменения, " +
	"ещё не отправленные в РМЦ: узел подключают заново, и он загружает все данные с сервера. " +
	"База РМЦ и демонстрационная база без пароля не откроются — запишите его и храните отдельно от компьютера."

// setMode shows the texts and fields of mode.
func (s *unlockScreen) setMode(m unlockMode) {
	s.mode = m
	s.pass.SetText("")
	s.again.SetText("")
	switch m {
	case unlockNew:
		s.title.SetText("Пароль базы данных")
		s.intro.SetText("«Кружок» хранит на этом компьютере персональные данные детей: ФИО, даты рождения, " +
			"сертификаты, договоры. Пароль шифрует их — без него файл базы не прочитать, даже унеся компьютер " +
			"или его диск. Программа будет спрашивать пароль при каждом запуске.")
		s.submit.SetText("Задать пароль и продолжить")
	case unlockPlain:
		s.title.SetText("Задайте пароль базы данных")
		s.intro.SetText("Эта база создана прежней версией «Кружка», и персональные данные детей в ней " +
			"не зашифрованы. Задайте пароль — программа зашифрует базу (от нескольких секунд до нескольких минут) " +
			"и дальше будет спрашивать его при каждом запуске.")
		s.submit.SetText("Задать пароль и зашифровать")
	case unlockKeyed:
		s.title.SetText("Введите пароль базы данных")
		s.intro.SetText("Персональные данные детей на этом компьютере зашифрованы. Введите пароль, " +
			"заданный при первом запуске.")
		s.submit.SetText("Открыть")
	}
	if m == unlockKeyed {
		s.warning.Hide()
		s.againBox.Hide()
		s.forgot.Show()
		s.pass.SetPlaceHolder("")
	} else {
		s.warning.SetText(warnForgotten)
		s.warning.Show()
		s.againBox.Show()
		s.forgot.Hide()
		s.pass.SetPlaceHolder("не короче 8 символов")
	}
}

// checkNewPassword is the rule of a new password and its repetition.
func checkNewPassword(p, again string) error {
	switch {
	case utf8.RuneCountInString(p) < minPasswordLen:
		return msgf("Пароль должен быть не короче %d символов", minPasswordLen)
	case p != again:
		return msgf("Пароли не совпали: введите один и тот же пароль дважды")
	}
	return nil
}

// keyErrorText is the Russian text of a key or store error, without the
// English gloss in parentheses that keys' messages end with for logs.
func keyErrorText(err error) string {
	var ke *keys.Error
	if errors.As(err, &ke) {
		msg := ke.Msg
		if i := strings.LastIndex(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") {
			msg = msg[:i]
		}
		r, n := utf8.DecodeRuneInString(msg)
		return string(unicode.ToUpper(r)) + msg[n:]
	}
	var fe fieldError
	if errors.As(err, &fe) {
		return string(fe)
	}
	var ae *app.Error
	if errors.As(err, &ae) {
		return ae.Message
	}
	return "База не открыта: " + err.Error()
}

// onSubmit checks the password, then makes or unwraps the key and opens the
// store off the UI goroutine.
func (s *unlockScreen) onSubmit() {
	if s.busy {
		return
	}
	p := s.pass.Text
	if s.mode != unlockKeyed {
		if err := checkNewPassword(p, s.again.Text); err != nil {
			sayErr(s.status, err)
			return
		}
	} else if p == "" {
		sayErr(s.status, msgf("Введите пароль"))
		return
	}
	mode, path := s.mode, s.u.DataPath
	s.begin(mode)
	s.async(func() {
		var key []byte
		var err error
		if mode == unlockKeyed {
			key, err = keys.Open(path, keys.Password(p))
		} else if err = os.MkdirAll(filepath.Dir(path), 0o700); err == nil {
			key, err = keys.Create(path, keys.Password(p))
		}
		if err != nil {
			fyne.Do(func() { s.fail(err) })
			return
		}
		st, opts, err := s.u.Open(key, func(done, total int) {
			fyne.Do(func() { s.showProgress(done, total) })
		})
		fyne.Do(func() {
			if err != nil {
				s.fail(err)
				return
			}
			s.busy = false
			if s.done != nil {
				s.done(st, opts)
			}
		})
	})
}

func (s *unlockScreen) begin(mode unlockMode) {
	s.busy = true
	s.submit.Disable()
	s.forgot.Disable()
	s.status.Importance = widget.MediumImportance
	switch mode {
	case unlockKeyed:
		s.status.SetText("Проверка пароля…")
	case unlockPlain:
		s.status.SetText("Создание ключа и шифрование базы…")
		s.progress.SetValue(0)
		s.progress.Show()
	default:
		s.status.SetText("Создание ключа…")
	}
}

// showProgress is the sealing of a plaintext database on the bar.
func (s *unlockScreen) showProgress(done, total int) {
	if !s.busy || total <= 0 {
		return
	}
	s.progress.Show()
	s.progress.SetValue(float64(done) / float64(total))
	s.status.Importance = widget.MediumImportance
	s.status.SetText("Шифрование базы: " + itoa(done) + " из " + itoa(total) + " записей")
}

// fail shows why the database did not open. A key made before the store
// failed to open turns the screen into the unlock of that key.
func (s *unlockScreen) fail(err error) {
	s.busy = false
	s.progress.Hide()
	s.submit.Enable()
	s.forgot.Enable()
	if m := modeOf(s.u.DataPath); m != s.mode {
		s.setMode(m)
	} else if s.mode == unlockKeyed {
		s.pass.SetText("")
	}
	sayErr(s.status, fieldError(keyErrorText(err)))
}

// onForgot explains that a password cannot be recovered and offers to
// start over.
func (s *unlockScreen) onForgot() {
	if s.busy {
		return
	}
	w := windowOf(s.content)
	if w == nil {
		return
	}
	msg := wrapped("Пароль нельзя восстановить: без него базу не прочитать — в этом и смысл шифрования.\n\n" +
		"Можно начать заново. Текущая база и её файл ключа не удаляются, а переименовываются " +
		"(в «" + filepath.Base(s.u.DataPath) + ".forgotten-…»): если пароль вспомнится, их можно открыть. " +
		"Затем программа предложит подключиться к РМЦ заново — узел загрузит все данные с сервера; " +
		"пропадут только изменения, ещё не отправленные в РМЦ.")
	d := dialog.NewCustomConfirm("Забыли пароль?", "Начать заново", "Отмена", msg, func(ok bool) {
		if ok {
			s.startOver()
		}
	}, w)
	d.Resize(fyne.NewSize(620, 320))
	d.Show()
}

// startOver renames the database and its key file aside (never deletes
// them) and shows the screen of a new database.
func (s *unlockScreen) startOver() {
	aside, err := putAside(s.u.DataPath, s.now())
	if err != nil {
		sayErr(s.status, fieldError("Не удалось переименовать базу: "+err.Error()))
		return
	}
	s.setMode(modeOf(s.u.DataPath))
	say(s.status, "Прежняя база сохранена как "+aside+". Задайте пароль новой базы.")
}

// putAside renames the database at path to path.forgotten-<time> and its key
// file to the key file of that name, so the pair still opens together. It
// returns the new name of the database.
func putAside(path string, now time.Time) (string, error) {
	aside := path + ".forgotten-" + now.Format("20060102-150405")
	if fileExists(aside) || keys.Exists(aside) {
		return "", errors.New(aside + " уже существует")
	}
	if fileExists(path) {
		if err := os.Rename(path, aside); err != nil {
			return "", err
		}
	}
	if err := os.Rename(keys.KeyPath(path), keys.KeyPath(aside)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	return aside, nil
}
