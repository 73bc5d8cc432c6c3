package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Surnames in their masculine form; feminine() derives the other.
var surnames = []string{
	"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
	"Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
	"Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
	"Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
	"Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
	"Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев",
	"Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев",
	"Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов",
	"Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов",
	"Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов",
	"Шевченко", "Бондаренко", "Коваленко", "Ткаченко", "Кравченко", "Черных", "Седых",
	"Арутюнян", "Петросян", "Саркисян", "Аванесян", "Гаджиев", "Алиев", "Магомедов",
	"Вишневский", "Покровский", "Троицкий",
}

var boyNames = []string{
	"Александр", "Максим", "Артём", "Михаил", "Иван", "Даниил", "Дмитрий", "Кирилл", "Андрей",
	"Егор", "Никита", "Матвей", "Илья", "Алексей", "Роман", "Сергей", "Владислав", "Ярослав",
	"Тимофей", "Арсений", "Фёдор", "Георгий", "Павел", "Глеб", "Константин", "Лев", "Марк",
	"Тимур", "Богдан", "Давид", "Степан", "Николай", "Владимир", "Денис", "Евгений",
}

var girlNames = []string{
	"Анастасия", "Мария", "Анна", "Виктория", "Екатерина", "Полина", "Елизавета", "Дарья",
	"Александра", "Ксения", "Софья", "Алиса", "Варвара", "Вероника", "Арина", "Ева", "Василиса",
	"Валерия", "Ульяна", "Милана", "Кристина", "Алина", "Диана", "Маргарита", "Таисия",
	"Ангелина", "Юлия", "Ольга", "Татьяна", "Злата",
}

var motherNames = []string{
	"Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна", "Мария", "Юлия",
	"Екатерина", "Марина", "Оксана", "Анастасия", "Виктория", "Людмила", "Галина", "Надежда",
	"Евгения", "Кристина", "Алёна",
}

// fathers are men's names with the patronymics they give a son and a daughter.
var fathers = [][3]string{
	{"Александр", "Александрович", "Александровна"}, {"Алексей", "Алексеевич", "Алексеевна"},
	{"Андрей", "Андреевич", "Андреевна"}, {"Сергей", "Сергеевич", "Сергеевна"},
	{"Дмитрий", "Дмитриевич", "Дмитриевна"}, {"Иван", "Иванович", "Ивановна"},
	{"Михаил", "Михайлович", "Михайловна"}, {"Николай", "Николаевич", "Николаевна"},
	{"Владимир", "Владимирович", "Владимировна"}, {"Евгений", "Евгеньевич", "Евгеньевна"},
	{"Павел", "Павлович", "Павловна"}, {"Олег", "Олегович", "Олеговна"},
	{"Игорь", "Игоревич", "Игоревна"}, {"Роман", "Романович", "Романовна"},
	{"Виктор", "Викторович", "Викторовна"}, {"Юрий", "Юрьевич", "Юрьевна"},
	{"Артём", "Артёмович", "Артёмовна"}, {"Денис", "Денисович", "Денисовна"},
	{"Максим", "Максимович", "Максимовна"}, {"Константин", "Константинович", "Константиновна"},
	{"Вадим", "Вадимович", "Вадимовна"}, {"Руслан", "Русланович", "Руслановна"},
	{"Илья", "Ильич", "Ильинична"}, {"Антон", "Антонович", "Антоновна"},
	{"Василий", "Васильевич", "Васильевна"}, {"Григорий", "Григорьевич", "Григорьевна"},
	{"Станислав", "Станиславович", "Станиславовна"}, {"Геннадий", "Геннадьевич", "Геннадьевна"},
	{"Валерий", "Валерьевич", "Валерьевна"}, {"Анатолий", "Анатольевич", "Анатольевна"},
}

// feminine is the feminine form of a masculine surname; surnames ending
// otherwise (-ко, -ян, -их/-ых) do not change.
func feminine(s string) string {
	switch {
	case strings.HasSuffix(s, "ский"), strings.HasSuffix(s, "цкий"):
		return strings.TrimSuffix(s, "ий") + "ая"
	case strings.HasSuffix(s, "ов"), strings.HasSuffix(s, "ев"), strings.HasSuffix(s, "ёв"),
		strings.HasSuffix(s, "ин"), strings.HasSuffix(s, "ын"):
		return s + "а"
	}
	return s
}

// person is a generated full name.
type person struct {
	last, first, middle string
}

func (p person) full() string { return p.last + " " + p.first + " " + p.middle }

// initials is "Иванова А. С.".
func (p person) initials() string {
	r := func(s string) string { return string([]rune(s)[:1]) + "." }
	return p.last + " " + r(p.first) + " " + r(p.middle)
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// family makes a child and the guardian who gives consent (the mother more
// often than the father), sharing a surname and the father's name.
func family(rng *rand.Rand) (child, guardian person) {
	sur := pick(rng, surnames)
	dad := pick(rng, fathers)
	if rng.IntN(2) == 0 {
		child = person{sur, pick(rng, boyNames), dad[1]}
	} else {
		child = person{feminine(sur), pick(rng, girlNames), dad[2]}
	}
	grand := pick(rng, fathers)
	if rng.IntN(10) < 7 {
		guardian = person{feminine(sur), pick(rng, motherNames), grand[2]}
	} else {
		guardian = person{sur, dad[0], grand[1]}
	}
	return child, guardian
}

// adult is an adult's name: an operator, an entrepreneur.
func adult(rng *rand.Rand) person {
	sur := pick(rng, surnames)
	dad := pick(rng, fathers)
	if rng.IntN(3) > 0 {
		return person{feminine(sur), pick(rng, motherNames), dad[2]}
	}
	return person{sur, pick(rng, fathers)[0], dad[1]}
}

var mobileCodes = []int{918, 928, 962, 988, 905, 906, 909, 961, 919, 938}

// phone is a Russian mobile number as people write it: +7 918 123-45-67.
func phone(rng *rand.Rand) string {
	return fmt.Sprintf("+7 %d %03d-%02d-%02d", pick(rng, mobileCodes), rng.IntN(1000), rng.IntN(100), rng.IntN(100))
}

// snils is a valid SNILS with its control number: 123-456-789 01.
func snils(rng *rand.Rand) string {
	var d [9]int
	sum := 0
	for i := range d {
		d[i] = rng.IntN(10)
		sum += d[i] * (9 - i)
	}
	ctl := sum % 101
	if ctl == 100 {
		ctl = 0
	}
	return fmt.Sprintf("%d%d%d-%d%d%d-%d%d%d %02d", d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], ctl)
}

// inn is a taxpayer number of the krai (region code 26) with valid control
// digits: 10 digits for an organisation, 12 for an entrepreneur.
func inn(rng *rand.Rand, entrepreneur bool) string {
	weights := [][]int{{2, 4, 10, 3, 5, 9, 4, 6, 8}}
	if entrepreneur {
		weights = [][]int{{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}, {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}}
	}
	d := []int{2, 6}
	for len(d) < len(weights[0]) {
		d = append(d, rng.IntN(10))
	}
	for _, w := range weights {
		s := 0
		for i, k := range w {
			s += k * d[i]
		}
		d = append(d, s%11%10)
	}
	var b strings.Builder
	for _, c := range d {
		b.WriteByte(byte('0' + c))
	}
	return b.String()
}

// licence is a licence number in the format of the federal register.
func licence(rng *rand.Rand) string {
	return fmt.Sprintf("Л035-01218-26/%08d", rng.IntN(100_000_000))
}
