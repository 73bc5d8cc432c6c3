package demo

// munInfo is what the demo assumes about a municipality: its administrative
// centre (for addresses), the children aged 5–18 living there, whether it
// finances certificates this period, and the nominal it sets (roubles).
type munInfo struct {
	code       string
	town       string
	population int64
	financing  bool
	nominal    int64 // roubles; 0 in accounting mode
}

// municipalities are the 33 municipalities of the krai with child
// populations of the right order: Ставрополь about 70 000, the rural
// districts 3 000–12 000. Twenty-two finance certificates, eleven only count
// children (accounting).
var municipalities = []munInfo{
	{"01", "с. Александровское", 8_100, true, 15_000},
	{"02", "с. Курсавка", 4_600, true, 12_000},
	{"03", "с. Дивное", 5_200, false, 0},
	{"04", "с. Арзгир", 4_300, false, 0},
	{"05", "г. Благодарный", 9_400, true, 15_000},
	{"06", "г. Будённовск", 11_800, true, 18_000},
	{"07", "г. Георгиевск", 12_000, true, 18_000},
	{"08", "с. Грачёвка", 6_300, false, 0},
	{"09", "г. Изобильный", 11_500, true, 16_000},
	{"10", "г. Ипатово", 8_900, false, 0},
	{"11", "г. Новопавловск", 10_900, true, 15_000},
	{"12", "с. Кочубеевское", 11_200, true, 16_000},
	{"13", "с. Красногвардейское", 6_000, false, 0},
	{"14", "ст-ца Курская", 8_400, false, 0},
	{"15", "с. Левокумское", 6_400, false, 0},
	{"16", "г. Минеральные Воды", 11_900, true, 20_000},
	{"17", "г. Нефтекумск", 10_300, false, 0},
	{"18", "г. Новоалександровск", 10_800, true, 15_000},
	{"19", "с. Новоселицкое", 4_200, false, 0},
	{"20", "г. Светлоград", 11_000, true, 15_000},
	{"21", "ст-ца Ессентукская", 11_700, true, 18_000},
	{"22", "г. Зеленокумск", 9_800, true, 14_000},
	{"23", "с. Степное", 3_400, false, 0},
	{"24", "с. Донское", 5_600, true, 12_000},
	{"25", "с. Летняя Ставка", 4_000, false, 0},
	{"26", "г. Михайловск", 12_000, true, 20_000},
	{"27", "г. Ставрополь", 70_000, true, 25_000},
	{"28", "г. Невинномысск", 18_500, true, 22_000},
	{"29", "г. Лермонтов", 3_800, true, 15_000},
	{"30", "г. Ессентуки", 17_200, true, 22_000},
	{"31", "г. Железноводск", 6_600, true, 18_000},
	{"32", "г. Кисловодск", 18_100, true, 22_000},
	{"33", "г. Пятигорск", 33_000, true, 25_000},
}

// Municipalities whose parameters show the less common rules.
const (
	queueMun = "07" // a quota below the demo's demand, so a queue forms
)

// sumLimitMuns set a limit on the sum of nominals a little below quota × nominal.
var sumLimitMuns = []string{"26", "33"}

// directionLimitMuns cap simultaneous funded enrolments in a popular
// direction, low enough that some families meet DIRECTION_LIMIT.
var directionLimitMuns = map[string]string{"28": "tech", "32": "sport"}

func munByCode(code string) munInfo {
	for _, m := range municipalities {
		if m.code == code {
			return m
		}
	}
	panic("demo: unknown municipality " + code)
}

// totalPopulation is the children aged 5–18 of the whole krai.
func totalPopulation() int64 {
	var n int64
	for _, m := range municipalities {
		n += m.population
	}
	return n
}
