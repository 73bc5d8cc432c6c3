package pdf

import (
	"fmt"

	"kruzhok/app"
)

// CertificateExtract renders the guardian's extract from the certificate
// registry for one certificate (RULES.md §3): the municipality, the number,
// the type, the child's full name and birth date, the issue date, whether the
// municipality has confirmed it, and the certificate's code in large letters,
// each in a box of its own so that none is misread. The code is never stored
// in clear: the extract is the only place it is written down, so the
// document says to keep it and that number and code together let a provider
// enrol the child. on is the document's date.
// Errors: ENOTFOUND when the certificate or its child is not in r, EINVALID
// for a code that is not CodeLen characters of the code alphabet.
func CertificateExtract(r app.Reader, certID, code string, on app.Date) ([]byte, error) {
	code = app.NormalizeCode(code)
	if len([]rune(code)) != app.CodeLen {
		return nil, app.Errorf(app.EINVALID, "Код сертификата должен состоять из %d знаков", app.CodeLen)
	}
	cert, err := app.Get[app.Certificate](r, certID)
	if err != nil {
		return nil, err
	}
	ch, err := app.Get[app.Child](r, cert.Child)
	if err != nil {
		return nil, err
	}
	number := cert.Number
	if number == "" {
		number = "будет присвоен РМЦ после синхронизации"
	}

	p := newPage("Выписка из реестра сертификатов, "+orDash(cert.Number), on, false)
	p.h1("ВЫПИСКА ИЗ РЕЕСТРА СЕРТИФИКАТОВ\nДОПОЛНИТЕЛЬНОГО ОБРАЗОВАНИЯ")
	p.sub("персонифицированное дополнительное образование детей Ставропольского края")
	p.placeDate(munName(r, cert.Municipality), on.Russian())

	p.h2("Сертификат")
	p.field("Муниципалитет", fmt.Sprintf("%s — %s", cert.Municipality, munName(r, cert.Municipality)))
	p.field("Номер сертификата", number)
	p.field("Тип", "сертификат "+app.CertificateTypeRu(cert.Type))
	p.field("Ребёнок", ch.FullName())
	p.field("Дата рождения", ch.BirthDate.Russian())
	p.field("Дата выдачи", cert.Issued.Russian())
	status := "подтверждён муниципалитетом"
	if cert.Unconfirmed {
		status = "не подтверждён: муниципалитет проверит документы, до этого сертификат нельзя финансировать и по нему нельзя зачислить"
	}
	p.field("Статус", app.CertificateStatusRu(cert.Status)+"; "+status)

	p.h2("Код сертификата")
	p.codeBoxes(code)
	p.para("Код показывается один раз и нигде не хранится: сохраните эту выписку. " +
		"Чтобы записать ребёнка к исполнителю (в кружок, секцию), сообщите исполнителю номер сертификата и этот код: " +
		"без кода исполнитель не найдёт ребёнка в реестре. Никому, кроме выбранного исполнителя, код не сообщайте. " +
		"Если код потерян или стал известен посторонним, муниципалитет выдаст новый код, а старый перестанет действовать.")
	p.f.Ln(2)
	p.note("В коде нет цифр 0 и 1 и букв O, I, L: все знаки — латинские буквы и цифры от 2 до 9. " +
		"Регистр букв, пробелы и дефисы при вводе не важны.")
	p.signatures("Выдал", "Получил (родитель, законный представитель)")
	return p.bytes()
}

// codeBoxes draws a certificate code large, one character to a box of equal
// width (monospace by construction), in two groups of four.
func (p *page) codeBoxes(code string) {
	const (
		boxW = 13.0
		boxH = 17.0
		gap  = 7.0
	)
	rs := []rune(code)
	half := len(rs) / 2
	l, _, r, _ := p.f.GetMargins()
	pw, _ := p.f.GetPageSize()
	total := float64(len(rs))*boxW + gap
	p.keep(boxH + 6)
	p.f.Ln(2)
	x := l + (pw-l-r-total)/2
	y := p.f.GetY()
	p.f.SetFont(family, "B", 30)
	p.f.SetDrawColor(60, 60, 60)
	p.f.SetLineWidth(0.4)
	for i, c := range rs {
		if i == half {
			x += gap
		}
		p.f.SetXY(x, y)
		p.f.CellFormat(boxW, boxH, string(c), "1", 0, "C", false, 0, "")
		x += boxW
	}
	p.f.SetLineWidth(0.2)
	p.f.SetDrawColor(0, 0, 0)
	p.f.SetXY(l, y+boxH+4)
	p.f.SetFont(family, "", sizeTxt)
}
