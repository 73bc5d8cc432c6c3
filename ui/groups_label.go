//go:build !nogui

package ui

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// groupInfo is a group with the names a person knows it by: a provider has
// «Группа 1» in every programme, so a group alone names nothing.
type groupInfo struct {
	g    app.Group
	prog string // the programme's title
	mod  string // the module's name
}

// label is «Робототехника · Модуль 1 · Группа 1 (7–10 лет)».
func (gi groupInfo) label() string {
	parts := make([]string, 0, 3)
	for _, p := range []string{gi.prog, gi.mod, gi.g.Name} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

// full reports a group with no free place: it cannot take a new contract.
func (gi groupInfo) full() bool { return gi.g.Free() <= 0 }

// pickLabel is the label with the places, as the enrolment picker lists it:
// «… · свободно мест: 3» or «… · мест нет».
func (gi groupInfo) pickLabel() string {
	if gi.full() {
		return gi.label() + " · мест нет"
	}
	return gi.label() + " · свободно мест: " + itoa(int(gi.g.Free()))
}

// loadGroups reads the provider's groups with their programmes and modules,
// in the order of their labels.
func loadGroups(r app.Reader, provider string) ([]groupInfo, error) {
	groups, err := app.List[app.Group](r, app.IdxProvider, provider, 0)
	if err != nil {
		return nil, err
	}
	return describeGroups(r, groups)
}

// describeGroups names groups by their programme and module. A programme or
// module outside the node's scope leaves its part out of the label.
func describeGroups(r app.Reader, groups []app.Group) ([]groupInfo, error) {
	progs, mods := map[string]string{}, map[string]string{}
	name := func(cache map[string]string, id string, get func() (string, error)) (string, error) {
		if n, ok := cache[id]; ok || id == "" {
			return n, nil
		}
		n, err := get()
		if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
			return "", err
		}
		cache[id] = n
		return n, nil
	}
	out := make([]groupInfo, 0, len(groups))
	for _, g := range groups {
		p, err := name(progs, g.Programme, func() (string, error) {
			p, err := app.Get[app.Programme](r, g.Programme)
			return p.Title, err
		})
		if err != nil {
			return nil, err
		}
		m, err := name(mods, g.Module, func() (string, error) {
			m, err := app.Get[app.Module](r, g.Module)
			return m.Name, err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, groupInfo{g: g, prog: p, mod: m})
	}
	slices.SortStableFunc(out, func(a, b groupInfo) int { return strings.Compare(a.label(), b.label()) })
	return out, nil
}

// groupPicker is a select of groups in which a full group is listed, marked
// «мест нет», and cannot be picked: its line in the list is disabled, the
// arrow keys step over it, and choosing it from code is refused.
type groupPicker struct {
	widget.Select
	full func(i int) bool // whether option i is a full group
}

// newGroupChoice is a choice of groups with a picker that refuses the
// options full reports.
func newGroupChoice(placeholder, empty string, full func(i int) bool, onChanged func(string)) *choice {
	p := &groupPicker{full: full}
	p.ExtendBaseWidget(p)
	c := newChoice(placeholder, empty, onChanged)
	inner := c.sel.OnChanged
	p.OnChanged = func(v string) {
		if i := p.SelectedIndex(); i >= 0 && p.full != nil && p.full(i) {
			p.ClearSelected() // runs this again with ""
			c.msg.SetText("В этой группе мест нет: выберите другую")
			c.msg.Show()
			return
		}
		c.msg.SetText(c.empty)
		inner(v)
	}
	p.PlaceHolder = placeholder
	c.sel = &p.Select
	c.box.Objects[0] = p
	return c
}

// Tapped shows the list with full groups disabled.
func (p *groupPicker) Tapped(*fyne.PointEvent) {
	if p.Disabled() {
		return
	}
	p.showList()
}

// TypedKey opens the list on Space or an arrow up or down, and steps over
// full groups with the arrows left and right.
func (p *groupPicker) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeySpace, fyne.KeyUp, fyne.KeyDown:
		p.showList()
	case fyne.KeyLeft, fyne.KeyRight:
		step := 1
		if ev.Name == fyne.KeyLeft {
			step = -1
		}
		n, i := len(p.Options), p.SelectedIndex()
		for range n {
			i = ((i+step)%n + n) % n
			if p.full == nil || !p.full(i) {
				p.SetSelectedIndex(i)
				return
			}
		}
	}
}

func (p *groupPicker) showList() {
	c := fyne.CurrentApp().Driver().CanvasForObject(p)
	if c == nil {
		return
	}
	items := make([]*fyne.MenuItem, len(p.Options))
	for i, text := range p.Options {
		items[i] = fyne.NewMenuItem(text, func() { p.SetSelectedIndex(i) })
		items[i].Disabled = p.full != nil && p.full(i)
	}
	pop := widget.NewPopUpMenu(fyne.NewMenu("", items...), c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(p)
	pop.ShowAtPosition(pos.Add(fyne.NewPos(0, p.Size().Height)))
	// As wide as the picker: a long label is cut, the window does not grow.
	pop.Resize(fyne.NewSize(p.Size().Width, pop.MinSize().Height))
}
