package pdf

import (
	"fmt"
	"image/color"
	"strings"

	"github.com/boombuler/barcode/qr"

	"kruzhok/app"
)

// InviteSheet is what the one-page invite of a new node says: who it is
// for, the server's address and the code to type, and when the code stops
// working.
type InviteSheet struct {
	For         string   // «ИП Иванова …»: the provider (or municipality) invited
	By          string   // «Муниципалитет 27 — …»: who made the invite
	Server      string   // https://host:port
	Code        string   // the invite code, groups of four
	Created     app.Date // the day it was made
	Expires     app.Date // the last day it can be used (zero: unknown yet)
	WorksAtOnce bool     // made on the server: the code works at once
}

// InviteQR is the text of an invite sheet's QR code: the address and the
// code, the same as typed.
func InviteQR(server, code string) string {
	return "Кружок\nАдрес сервера: " + server + "\nКод приглашения: " + code
}

// Invite is the one-page invite of a new node: the server's address, the
// code in large letters, a QR code of both and the steps for the person who
// installs the program, in plain words.
func Invite(s InviteSheet) ([]byte, error) {
	if strings.TrimSpace(s.Server) == "" || strings.TrimSpace(s.Code) == "" {
		return nil, app.Errorf(app.EINVALID, "В листе приглашения нужны адрес сервера и код")
	}
	p := newPage("Приглашение подключиться к «Кружку»", s.Created, false)
	p.h1("Приглашение подключиться к «Кружку»")
	if s.For != "" {
		p.sub("для: " + s.For)
	}
	if s.By != "" {
		p.sub("выдал: " + s.By)
	}
	p.f.Ln(4)
	p.field("Адрес сервера", s.Server)
	p.f.Ln(2)
	p.f.SetFont(family, "B", sizeTxt)
	p.f.MultiCell(0, lineH, "Код приглашения:", "", "L", false)
	p.f.SetFont(family, "B", 16)
	p.f.MultiCell(0, 10, s.Code, "1", "C", false)
	p.f.SetFont(family, "", sizeTxt)
	p.f.Ln(2)
	if err := p.qr(InviteQR(s.Server, s.Code), 45); err != nil {
		return nil, err
	}
	switch {
	case s.WorksAtOnce && !s.Expires.IsZero():
		p.para("Код действует до " + s.Expires.Russian() + " включительно и подключает один компьютер.")
	case s.WorksAtOnce:
		p.para("Код подключает один компьютер.")
	default:
		p.para(fmt.Sprintf("Код начнёт действовать, когда программа муниципалитета синхронизируется с сервером, "+
			"и будет действовать %d дней с этого дня. Код подключает один компьютер.", app.InviteDays))
	}
	p.h2("Что сделать")
	for i, step := range []string{
		"Установите программу «Кружок» на компьютер, где будет работать учреждение.",
		"Запустите программу. Если она попросит придумать пароль, придумайте и запишите его: без пароля данные на этом компьютере не открыть.",
		"На экране «Добро пожаловать» найдите «Подключиться к РМЦ».",
		"Введите адрес сервера и код приглашения точно так, как они напечатаны выше. Большие или маленькие буквы, пробелы и дефисы не важны; буквы O, I и L можно вводить вместо цифр 0 и 1.",
		"Нажмите «Подключиться» и дождитесь, пока программа загрузит данные. Дальше она синхронизируется сама.",
	} {
		p.para(fmt.Sprintf("%d. %s", i+1, step))
	}
	p.h2("Если не получилось")
	p.para("«Нет связи с сервером» — проверьте подключение к интернету и адрес сервера.")
	p.para("«Код введён с ошибкой» или «приглашения нет» — сверьте код знак за знаком; если код выдан только что, " +
		"попросите муниципалитет нажать «Синхронизировать сейчас» и попробуйте ещё раз.")
	p.para("«Срок истёк», «код уже использован» — попросите у муниципалитета новое приглашение.")
	p.para("«Сертификат сервера не совпадает» — не продолжайте: проверьте адрес сервера и позвоните в муниципалитет.")
	p.f.Ln(2)
	p.note("Храните этот лист как пароль: код подключает к данным детей. После подключения лист можно уничтожить.")
	return p.bytes()
}

// qr draws text as a QR code size millimetres wide, centred, from black
// squares (vector, sharp at any print size), and moves below it.
func (p *page) qr(text string, size float64) error {
	code, err := qr.Encode(text, qr.M, qr.Unicode)
	if err != nil {
		return fmt.Errorf("QR-код приглашения: %w", err)
	}
	b := code.Bounds()
	n := b.Dx()
	const quiet = 4 // modules of white around the code
	mod := size / float64(n+2*quiet)
	l, _, r, _ := p.f.GetMargins()
	pw, _ := p.f.GetPageSize()
	p.keep(size + 2)
	x0 := l + (pw-l-r-size)/2 + quiet*mod
	y0 := p.f.GetY() + quiet*mod
	p.f.SetFillColor(0, 0, 0)
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < n; x++ {
			if c := color.GrayModel.Convert(code.At(b.Min.X+x, b.Min.Y+y)).(color.Gray); c.Y < 128 {
				p.f.Rect(x0+float64(x)*mod, y0+float64(y)*mod, mod, mod, "F")
			}
		}
	}
	p.f.SetFillColor(255, 255, 255)
	p.f.SetXY(l, y0+float64(b.Dy())*mod+quiet*mod)
	return nil
}
