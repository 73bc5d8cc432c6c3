//go:build !nogui

package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
	"kruzhok/pdf"
)

// inviteSyncTimeout bounds the sync that carries a new invite to the server.
const inviteSyncTimeout = 2 * time.Minute

var munInviteColumns = []column{
	{"Исполнитель", 300},
	{"Создано", 100},
	{"Действует до", 110},
	{"Статус", 150},
}

// munInvitesScreen is «Приглашения» of a municipality's node:
// an invite for a provider of the municipality, recorded by create_invite
// and carried to the server by a sync at once (the code works from then),
// then a one-page sheet with the address and the code to print or copy.
type munInvitesScreen struct {
	st   app.Store
	mun  string
	opts Options

	provs   []app.Provider
	invites []app.Invite
	names   map[string]string // scope → provider name

	target  *choice
	create  *widget.Button
	code    *widget.Label
	copy    *widget.Button
	save    *widget.Button
	note    *widget.Label
	table   *widget.Table
	empty   *widget.Label // «Приглашений пока нет» over an empty table
	status  *widget.Label
	content fyne.CanvasObject

	last struct { // the invite shown
		code, forName, scope string
		created, expires     app.Date
		live                 bool // the server has it: the code works
	}
	// async runs work off the UI goroutine (tests run it in place).
	async func(func())
}

func newMunInvitesScreen(st app.Store, mun string, opts Options) *munInvitesScreen {
	s := &munInvitesScreen{st: st, mun: mun, opts: opts, status: newStatus(), note: newStatus(),
		async: func(f func()) { go f() }}
	s.target = newChoice("Выберите исполнителя", "Выберите исполнителя, которого подключаете", nil)
	s.create = widget.NewButton("Создать приглашение", s.onCreate)
	s.create.Importance = widget.HighImportance
	s.code = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.code.SizeName = theme.SizeNameSubHeadingText
	s.code.Selectable = true
	s.copy = widget.NewButton("Скопировать", s.onCopy)
	s.save = widget.NewButton("Сохранить PDF…", s.onSave)
	s.copy.Disable()
	s.save.Disable()
	s.table = widget.NewTableWithHeaders(func() (int, int) { return len(s.invites), len(munInviteColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.cell(id.Row, id.Col)) })
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = func() fyne.CanvasObject { return widget.NewLabel("") }
	setColumns(s.table, munInviteColumns)

	help := helpText("Приглашение подключает к «Кружку» компьютер исполнителя вашего муниципалитета. " +
		"Создайте его, сохраните лист приглашения в PDF и передайте исполнителю: на листе адрес сервера, " +
		"код и что сделать. Код одноразовый, действует 7 дней и начинает работать, когда сервер его получит.")
	codeRow := container.NewBorder(nil, nil, widget.NewLabel("Код:"), container.NewHBox(s.copy, s.save), s.code)
	form := container.NewVBox(heading("Подключение исполнителей: новое приглашение"), help, s.target.box, container.NewHBox(s.create),
		codeRow, container.New(&reserveLayout{lines: 2}, s.note))
	s.empty = widget.NewLabelWithStyle("Приглашений пока нет", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	// Below the 520 px a 1024×600 laptop leaves the window, the screen
	// scrolls as a whole.
	s.content = container.NewVScroll(container.NewBorder(form, container.New(&reserveLayout{lines: 1}, s.status), nil, nil,
		container.NewBorder(heading("Приглашения муниципалитета"), nil, nil, nil,
			container.NewStack(s.table, container.NewCenter(s.empty)))))
	return s
}

// refresh reads the municipality's providers and its invites again.
func (s *munInvitesScreen) refresh() {
	scope := app.MunicipalityScope(s.mun)
	err := s.st.View(func(r app.Reader) error {
		var err error
		if s.provs, err = app.List[app.Provider](r, app.IdxMunicipality, s.mun, 0); err != nil {
			return err
		}
		s.invites, err = app.List[app.Invite](r, "by", scope, 0)
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	slices.SortFunc(s.provs, func(a, b app.Provider) int { return strings.Compare(app.NameKey(a.Name), app.NameKey(b.Name)) })
	slices.SortStableFunc(s.invites, func(a, b app.Invite) int { return int(b.Created - a.Created) })
	s.names = map[string]string{}
	var opts []string
	for _, p := range s.provs {
		s.names[app.ProviderScope(p.ID)] = p.Name
		opts = append(opts, p.Name)
	}
	sel := s.target.sel.Selected
	s.target.sel.Options = opts
	if !slices.Contains(opts, sel) {
		s.target.sel.ClearSelected()
	}
	s.target.sel.Refresh()
	s.table.Refresh()
	s.empty.Hidden = len(s.invites) > 0
	s.empty.Refresh()
	if s.opts.NewInvite == nil {
		s.create.Disable()
		s.note.Importance = widget.WarningImportance
		s.note.SetText("Приглашения создаются на компьютере, подключённом к серверу РМЦ.")
	}
}

func (s *munInvitesScreen) cell(row, col int) string {
	if row < 0 || row >= len(s.invites) {
		return ""
	}
	inv := s.invites[row]
	switch col {
	case 0:
		if n := s.names[inv.Scope]; n != "" {
			return n
		}
		return inv.Scope
	case 1:
		return dateRu(inv.Created)
	case 2:
		if inv.Expires.IsZero() {
			return ""
		}
		return dateRu(inv.Expires)
	case 3:
		switch {
		case inv.Status == app.InviteSpent:
			return "использовано"
		case inv.Status == app.InviteRevoked:
			return "отозвано"
		case !inv.Expires.IsZero() && app.DateOf(s.opts.now()) > inv.Expires:
			return "срок истёк"
		}
		return "действует"
	}
	return ""
}

// onCreate records the invite, shows its code, and syncs so that the code
// works: the server learns of an invite only from the node's sync.
func (s *munInvitesScreen) onCreate() {
	if s.opts.NewInvite == nil {
		return
	}
	i := s.target.sel.SelectedIndex()
	if i < 0 || i >= len(s.provs) {
		if err := s.target.validate(); err != nil {
			say(s.status, "")
		}
		return
	}
	p := s.provs[i]
	code, hash, err := s.opts.NewInvite()
	if err == nil {
		_, err = s.st.Exec(&app.CreateInvite{Hash: hash, Scope: app.ProviderScope(p.ID)})
	}
	if err != nil {
		sayErr(s.status, err)
		return
	}
	today := app.DateOf(s.opts.now())
	s.last.code, s.last.forName, s.last.scope = code, p.Name, app.ProviderScope(p.ID)
	s.last.created, s.last.expires, s.last.live = today, app.Date(0), false
	s.code.SetText(code)
	s.copy.Enable()
	s.save.Enable()
	s.refresh()
	say(s.status, "Приглашение для «"+p.Name+"» создано. Код показан один раз: сохраните лист или скопируйте код сейчас")
	sy := s.opts.syncer()
	if sy == nil {
		s.note.Importance = widget.WarningImportance
		s.note.SetText("Код заработает, когда этот компьютер синхронизируется с сервером.")
		return
	}
	s.note.Importance = widget.MediumImportance
	s.note.SetText("Отправляем приглашение на сервер…")
	s.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), inviteSyncTimeout)
		defer cancel()
		_, err := sy.SyncNow(ctx)
		fyne.Do(func() { s.synced(sy, hash, err) })
	})
}

// synced tells whether the server has the invite after the sync: nothing
// of this node waits to be sent, and the invite is still there (an invite
// the server refused is gone after the sync).
func (s *munInvitesScreen) synced(sy Syncer, hash string, err error) {
	var inv app.Invite
	verr := s.st.View(func(r app.Reader) error {
		var gerr error
		inv, gerr = app.Get[app.Invite](r, hash)
		return gerr
	})
	s.refresh()
	s.note.Importance = widget.WarningImportance
	if err != nil {
		s.note.SetText("Сервер пока недоступен: код заработает после ближайшей удачной синхронизации — " +
			"программа повторит её сама. " + syncErrorText(err))
		return
	}
	st, serr := sy.SyncState()
	switch {
	case app.ErrorCode(verr) == app.ENOTFOUND:
		s.note.Importance = widget.DangerImportance
		s.note.SetText("Сервер не принял приглашение (подробности — «Отклонено сервером» вверху): код не работает, создайте новое.")
		s.code.SetText("")
		s.last.code = ""
		s.copy.Disable()
		s.save.Disable()
	case verr != nil || serr != nil || st.Pending > 0:
		s.note.SetText("Код заработает после ближайшей удачной синхронизации — программа повторит её сама.")
	default:
		s.last.live, s.last.expires = true, inv.Expires
		s.note.Importance = widget.SuccessImportance
		s.note.SetText("Сервер получил приглашение: код уже работает, до " + dateRu(inv.Expires) + " включительно.")
	}
}

func (s *munInvitesScreen) onCopy() {
	if a := fyne.CurrentApp(); a != nil && s.last.code != "" {
		a.Clipboard().SetContent(s.last.code)
		say(s.status, "Код скопирован")
	}
}

// sheet is the PDF of the invite shown.
func (s *munInvitesScreen) sheet() ([]byte, error) {
	server := ""
	if s.opts.ServerAddress != nil {
		server = s.opts.ServerAddress()
	}
	if server == "" {
		return nil, fieldError("Адрес сервера неизвестен: этот компьютер не подключён к серверу")
	}
	by := "Муниципалитет " + s.mun
	_ = s.st.View(func(r app.Reader) error {
		if m, err := app.Get[app.Municipality](r, s.mun); err == nil {
			by += " — " + m.Name
		}
		return nil
	})
	return pdf.Invite(pdf.InviteSheet{For: s.last.forName, By: by, Server: server, Code: s.last.code,
		Created: s.last.created, Expires: s.last.expires, WorksAtOnce: s.last.live})
}

// onSave offers the invite sheet in the save dialog.
func (s *munInvitesScreen) onSave() {
	if s.last.code == "" {
		return
	}
	data, err := s.sheet()
	if err != nil {
		sayErr(s.status, err)
		return
	}
	w := windowOf(s.content)
	if w == nil {
		sayErr(s.status, fieldError("Окно программы недоступно: лист не сохранён"))
		return
	}
	showSaveDialog(w, fileName(strings.TrimRight("Приглашение — "+s.last.forName, ". "), ".pdf"), func(out fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(errors.New("Не удалось выбрать файл: "+err.Error()), w)
			return
		}
		if out == nil {
			return
		}
		_, werr := out.Write(data)
		if cerr := out.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			sayErr(s.status, fieldError("Лист приглашения не сохранён: "+werr.Error()))
			return
		}
		say(s.status, "Лист приглашения сохранён: "+out.URI().Path()+". Храните его как пароль.")
	})
}
