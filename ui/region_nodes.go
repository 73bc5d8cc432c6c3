//go:build !nogui

package ui

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// Kinds of scope an invite is for.
const (
	inviteRegion       = "РМЦ (регион)"
	inviteMunicipality = "Муниципалитет (МОЦ)"
	inviteProvider     = "Исполнитель"
)

var inviteColumns = []column{
	{"Для кого", 330},
	{"Создано", 110},
	{"Статус", 130},
}

var nodeColumns = []column{
	{"Узел", 330},
	{"Подключён", 110},
	{"Статус", 110},
}

// nodesScreen is the region's nodes and invites: a one-time invite for a
// municipality or a provider (its token to hand over), the revocation of an
// unspent invite, and the disconnection of a node (a stolen laptop, a
// provider that left).
type nodesScreen struct {
	st        app.Store
	newInvite func() (token, hash string, err error)
	now       func() time.Time

	invites []app.Invite
	nodes   []app.Node
	muns    []app.Municipality
	provs   []app.Provider
	labels  map[string]string // scope → its Russian name
	selInv  int
	selNode int

	kind      *widget.RadioGroup
	target    *choice
	create    *widget.Button
	token     *widget.Entry
	copyToken *widget.Button
	tokenNote *widget.Label
	invTable  *widget.Table
	nodeTable *widget.Table
	revokeInv *widget.Button
	revokeNod *widget.Button
	status    *widget.Label
	content   fyne.CanvasObject
}

func newNodesScreen(st app.Store, newInvite func() (string, string, error), now func() time.Time) *nodesScreen {
	s := &nodesScreen{st: st, newInvite: newInvite, now: now, selInv: -1, selNode: -1, status: newStatus(),
		tokenNote: newStatus()}
	s.kind = widget.NewRadioGroup([]string{inviteMunicipality, inviteProvider, inviteRegion}, func(string) { s.fillTargets() })
	s.kind.Horizontal = true
	s.kind.Required = true
	s.kind.Selected = inviteMunicipality
	s.target = newChoice("Выберите, кого пригласить", "Выберите муниципалитет или исполнителя", nil)
	s.create = widget.NewButton("Создать приглашение", s.onCreate)
	s.create.Importance = widget.HighImportance
	s.token = widget.NewEntry()
	s.token.SetPlaceHolder("здесь появится код приглашения")
	s.token.OnChanged = func(string) {} // read-only in effect: onCreate sets it
	s.copyToken = widget.NewButton("Скопировать", s.onCopy)
	s.copyToken.Disable()

	s.invTable = s.newTable(inviteColumns, func() int { return len(s.invites) }, s.inviteCell,
		func(row int) {
			s.selInv = row
			setEnabled(s.revokeInv, row >= 0 && s.invites[row].Status == app.InviteOpen)
		})
	s.nodeTable = s.newTable(nodeColumns, func() int { return len(s.nodes) }, s.nodeCell,
		func(row int) { s.selNode = row; setEnabled(s.revokeNod, row >= 0 && s.nodes[row].Status != "revoked") })
	s.revokeInv = widget.NewButton("Отозвать приглашение", s.onRevokeInvite)
	s.revokeInv.Disable()
	s.revokeNod = widget.NewButton("Отключить узел", s.onRevokeNode)
	s.revokeNod.Importance = widget.DangerImportance
	s.revokeNod.Disable()

	help := helpText("Код приглашения одноразовый и действует 7 дней: передайте его МОЦ или исполнителю (лично, по телефону, в письме). " +
		"На новом компьютере при первом запуске выберите «Подключиться к РМЦ» и введите адрес сервера и этот код.")
	createBox := container.NewVBox(heading("Новое приглашение"), help, s.kind,
		container.NewBorder(nil, nil, nil, container.NewVBox(s.create), s.target.box),
		container.NewBorder(nil, nil, nil, s.copyToken, s.token), s.tokenNote)
	tables := container.NewGridWithColumns(2,
		container.NewBorder(heading("Приглашения"), container.NewHBox(s.revokeInv), nil, nil, fitColumns(s.invTable, inviteColumns)),
		container.NewBorder(heading("Подключённые узлы"), container.NewHBox(s.revokeNod), nil, nil, fitColumns(s.nodeTable, nodeColumns)))
	// The form and both tables need more than the 520 px a 1024×600 laptop
	// leaves the window: below that the screen scrolls as a whole.
	s.content = container.NewVScroll(container.NewBorder(createBox, s.status, nil, nil, tables))
	return s
}

func (s *nodesScreen) newTable(cols []column, rows func() int, cell func(row, col int) string, onSel func(int)) *widget.Table {
	t := widget.NewTableWithHeaders(func() (int, int) { return rows(), len(cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(cell(id.Row, id.Col)) })
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject { return widget.NewLabel("") }
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < rows() {
			onSel(id.Row)
		}
	}
	setColumns(t, cols)
	return t
}

// refresh reads the invites, nodes, municipalities and providers again.
func (s *nodesScreen) refresh() {
	err := s.st.View(func(r app.Reader) error {
		var err error
		if s.invites, err = app.List[app.Invite](r, "", "", 0); err != nil {
			return err
		}
		if s.nodes, err = app.List[app.Node](r, "", "", 0); err != nil {
			return err
		}
		if s.muns, err = app.List[app.Municipality](r, "", "", 0); err != nil {
			return err
		}
		s.provs, err = app.List[app.Provider](r, "", "", 0)
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	slices.SortStableFunc(s.invites, func(a, b app.Invite) int { return int(b.Created - a.Created) })
	slices.SortStableFunc(s.nodes, func(a, b app.Node) int { return int(b.Joined - a.Joined) })
	slices.SortFunc(s.provs, func(a, b app.Provider) int { return strings.Compare(app.NameKey(a.Name), app.NameKey(b.Name)) })
	s.labels = map[string]string{app.ScopeRegion: "РМЦ (регион)"}
	for _, m := range s.muns {
		s.labels[app.MunicipalityScope(m.Code)] = "Муниципалитет " + m.Code + " — " + m.Name
	}
	for _, p := range s.provs {
		s.labels[app.ProviderScope(p.ID)] = "Исполнитель " + p.Name
	}
	s.selInv, s.selNode = -1, -1
	s.invTable.UnselectAll()
	s.nodeTable.UnselectAll()
	s.revokeInv.Disable()
	s.revokeNod.Disable()
	s.invTable.Refresh()
	s.nodeTable.Refresh()
	s.fillTargets()
	if s.newInvite == nil {
		s.create.Disable()
		s.tokenNote.Importance = widget.WarningImportance
		s.tokenNote.SetText("На этой базе приглашения не создаются. Создайте приглашение на компьютере РМЦ, " +
			"подключённом к серверу, или на базе самого сервера.")
	}
}

// fillTargets offers the municipalities or the providers for the chosen kind.
func (s *nodesScreen) fillTargets() {
	var opts []string
	switch s.kind.Selected {
	case inviteMunicipality:
		for _, m := range s.muns {
			opts = append(opts, munOption(m))
		}
	case inviteProvider:
		for _, p := range s.provs {
			opts = append(opts, p.Name+" ("+providerStatusRu(p.Status)+")")
		}
	}
	s.target.sel.ClearSelected()
	s.target.sel.Options = opts
	s.target.sel.Refresh()
	if s.kind.Selected == inviteRegion {
		s.target.sel.Disable()
	} else {
		s.target.sel.Enable()
	}
}

// scopeOf is the scope the form describes.
func (s *nodesScreen) scopeOf() (string, error) {
	i := s.target.sel.SelectedIndex()
	switch s.kind.Selected {
	case inviteRegion:
		return app.ScopeRegion, nil
	case inviteMunicipality:
		if i >= 0 && i < len(s.muns) {
			return app.MunicipalityScope(s.muns[i].Code), nil
		}
	case inviteProvider:
		if i >= 0 && i < len(s.provs) {
			return app.ProviderScope(s.provs[i].ID), nil
		}
	}
	return "", s.target.validate()
}

func (s *nodesScreen) onCreate() {
	if s.newInvite == nil {
		return
	}
	scope, err := s.scopeOf()
	if err != nil {
		sayErr(s.status, err)
		return
	}
	token, hash, err := s.newInvite()
	if err == nil {
		_, err = s.st.Exec(&app.CreateInvite{Hash: hash, Scope: scope})
	}
	if err != nil {
		sayErr(s.status, err)
		return
	}
	s.token.SetText(token)
	s.copyToken.Enable()
	s.tokenNote.Importance = widget.MediumImportance
	s.tokenNote.SetText("Код для «" + s.labels[scope] + "». Он показан один раз: скопируйте его сейчас. " +
		"Если этот компьютер подключён к серверу, код заработает после синхронизации; на базе самого сервера — " +
		"как только сервер запущен.")
	s.refresh()
	say(s.status, "Приглашение создано")
}

func (s *nodesScreen) onCopy() {
	if a := fyne.CurrentApp(); a != nil && s.token.Text != "" {
		a.Clipboard().SetContent(s.token.Text)
		say(s.status, "Код приглашения скопирован")
	}
}

func (s *nodesScreen) onRevokeInvite() {
	if s.selInv < 0 || s.selInv >= len(s.invites) {
		return
	}
	inv := s.invites[s.selInv]
	askConfirm(s.content, "Отозвать приглашение", "Отозвать приглашение для «"+s.scopeName(inv.Scope)+"»? Код перестанет действовать.", "Отозвать", func() {
		if _, err := s.st.Exec(&app.RevokeInvite{Hash: inv.Hash}); err != nil {
			sayErr(s.status, err)
			return
		}
		s.refresh()
		say(s.status, "Приглашение для «"+s.scopeName(inv.Scope)+"» отозвано")
	})
}

func (s *nodesScreen) onRevokeNode() {
	if s.selNode < 0 || s.selNode >= len(s.nodes) {
		return
	}
	n := s.nodes[s.selNode]
	askConfirm(s.content, "Отключить узел", "Отключить узел «"+s.scopeName(n.Scope)+"»? Сервер перестанет принимать от него данные; "+
		"чтобы подключить компьютер снова, понадобится новое приглашение.", "Отключить", func() {
		if _, err := s.st.Exec(&app.RevokeNode{Node: n.ID}); err != nil {
			sayErr(s.status, err)
			return
		}
		s.refresh()
		say(s.status, "Узел «"+s.scopeName(n.Scope)+"» отключён")
	})
}

func (s *nodesScreen) scopeName(scope string) string {
	if l := s.labels[scope]; l != "" {
		return l
	}
	return scope
}

var inviteStatusRu = map[string]string{app.InviteOpen: "действует", app.InviteSpent: "использовано",
	app.InviteRevoked: "отозвано"}

func (s *nodesScreen) inviteCell(row, col int) string {
	if row < 0 || row >= len(s.invites) {
		return ""
	}
	inv := s.invites[row]
	switch col {
	case 0:
		return s.scopeName(inv.Scope)
	case 1:
		return dateRu(inv.Created)
	case 2:
		return inviteStatusRu[inv.Status]
	}
	return ""
}

func (s *nodesScreen) nodeCell(row, col int) string {
	if row < 0 || row >= len(s.nodes) {
		return ""
	}
	n := s.nodes[row]
	switch col {
	case 0:
		return s.scopeName(n.Scope) + " · " + shortID(n.ID)
	case 1:
		return dateRu(n.Joined)
	case 2:
		if n.Status == "revoked" {
			return "отключён"
		}
		return "работает"
	}
	return ""
}

// shortID is the last part of a node id, enough to tell two laptops apart.
func shortID(id string) string {
	if i := strings.LastIndex(id, "-"); i >= 0 && len(id)-i > 4 {
		return "…" + id[len(id)-6:]
	}
	return id
}
