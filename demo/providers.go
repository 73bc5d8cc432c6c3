package demo

import "kruzhok/app"

// providerInfo is one provider of the demo: its full name, type,
// municipality, the directions it teaches (nil = all six) and its street.
type providerInfo struct {
	name   string
	typ    string
	mun    string
	dirs   []string
	street string
}

// providers are ordered so that any prefix is a varied region: the first
// eight already span cities and districts, schools, companies and
// entrepreneurs, and every direction.
var providers = []providerInfo{
	{"МБУ ДО «Центр детского творчества Ленинского района г. Ставрополя»", app.ProviderOrg, "27", nil, "ул. Ленина, 292"},
	{"АНО ДО «Робототехника»", app.ProviderTraining, "27", []string{"tech"}, "пр. Кулакова, 10"},
	{"ИП Иванова А. С.", app.ProviderIPNoStaff, "33", []string{"art"}, "ул. Кирова, 32"},
	{"МБУ ДО «Станция юных техников» г. Невинномысска", app.ProviderOrg, "28", []string{"tech", "science"}, "ул. Гагарина, 21"},
	{"МБУ ДО «Дом детского творчества» Шпаковского муниципального округа", app.ProviderOrg, "26", nil, "ул. Ленина, 190"},
	{"ООО «Центр развития «Умка»", app.ProviderTraining, "30", []string{"social", "science"}, "ул. Пятигорская, 112"},
	{"МБУ ДО «Детско-юношеская спортивная школа» Георгиевского муниципального округа", app.ProviderOrg, "07", []string{"sport", "tourism"}, "ул. Калинина, 97"},
	{"ИП Петров С. В.", app.ProviderIPStaff, "32", []string{"sport", "social"}, "пр. Победы, 141"},
	{"МАУ ДО «Центр внешкольной работы» г. Пятигорска", app.ProviderOrg, "33", nil, "ул. Дзержинского, 46"},
	{"ГБУ ДО «Краевой центр экологии, туризма и краеведения»", app.ProviderOrg, "27", []string{"science", "tourism"}, "ул. Гражданская, 8"},
	{"АНО ДО «Академия юных программистов»", app.ProviderTraining, "27", []string{"tech"}, "ул. Доваторцев, 38"},
	{"МБУ ДО «Дом детского творчества» Минераловодского муниципального округа", app.ProviderOrg, "16", nil, "ул. 50 лет Октября, 67"},
	{"ИП Смирнова О. В.", app.ProviderIPNoStaff, "27", []string{"social"}, "ул. Мира, 264"},
	{"МБОУ «Средняя общеобразовательная школа № 5» г. Кисловодска", app.ProviderOrg, "32", []string{"science", "social", "sport"}, "ул. Седлогорская, 123"},
	{"ООО «Лингвистический центр «Полиглот»", app.ProviderTraining, "33", []string{"social"}, "пр. Калинина, 2"},
	{"МБУ ДО «Центр детского творчества» Будённовского муниципального округа", app.ProviderOrg, "06", nil, "ул. Пушкинская, 133"},
	{"МБУ ДО «Станция юных натуралистов» г. Ставрополя", app.ProviderOrg, "27", []string{"science"}, "ул. Голенева, 21"},
	{"АНО «Спортивный клуб «Олимп»", app.ProviderTraining, "28", []string{"sport"}, "ул. Комсомольская, 58"},
	{"ИП Ковалёва Н. А.", app.ProviderIPStaff, "30", []string{"art"}, "ул. Октябрьская, 337"},
	{"МБУ ДО «Детско-юношеский центр» Изобильненского муниципального округа", app.ProviderOrg, "09", nil, "ул. Советская, 50"},
	{"МКУ ДО «Центр детского творчества» Предгорного муниципального округа", app.ProviderOrg, "21", nil, "ул. Гагарина, 78"},
	{"ООО «Школа программирования «Алгоритмика-Юг»", app.ProviderTraining, "27", []string{"tech"}, "ул. Маршала Жукова, 7"},
	{"МБУ ДО «Центр детского творчества» Ипатовского муниципального округа", app.ProviderOrg, "10", nil, "ул. Гагарина, 67"},
	{"МБУ ДО «Дом детского творчества» г. Лермонтова", app.ProviderOrg, "29", nil, "ул. Ленина, 16"},
	{"ИП Мартиросян Г. Р.", app.ProviderIPStaff, "33", []string{"sport"}, "ул. Ермолова, 14"},
	{"МБУ ДО «Детско-юношеская спортивная школа» Кировского муниципального округа", app.ProviderOrg, "11", []string{"sport"}, "ул. Комсомольская, 20"},
	{"АНО ДО «Центр естественных наук «Эврика»", app.ProviderTraining, "32", []string{"science", "tech"}, "ул. Горького, 24"},
	{"МБУ ДО «Центр дополнительного образования детей» Курского муниципального округа", app.ProviderOrg, "14", nil, "ул. Калинина, 34"},
	{"МБУ ДО «Дом детского творчества» Петровского муниципального округа", app.ProviderOrg, "20", nil, "пл. Выставочная, 20"},
	{"ООО «Студия анимации «Пластилин»", app.ProviderTraining, "27", []string{"art", "tech"}, "ул. Льва Толстого, 39"},
	{"ИП Кузнецов Д. И.", app.ProviderIPNoStaff, "26", []string{"tech"}, "ул. Гагарина, 365"},
	{"МБУ ДО «Центр творчества «Радуга» Новоалександровского муниципального округа", app.ProviderOrg, "18", nil, "ул. Гагарина, 315"},
	{"МБУ ДО «Станция детского и юношеского туризма и экскурсий» г. Кисловодска", app.ProviderOrg, "32", []string{"tourism", "sport"}, "ул. Марцинкевича, 11"},
	{"АНО ДО «Шахматная школа «Гамбит»", app.ProviderTraining, "28", []string{"sport"}, "ул. Менделеева, 40"},
	{"МБУ ДО «Центр детского творчества» Советского муниципального округа", app.ProviderOrg, "22", nil, "ул. Мира, 18"},
	{"ИП Григорьева Е. П.", app.ProviderIPNoStaff, "31", []string{"art"}, "ул. Ленина, 57"},
	{"МБУ ДО «Дом детского творчества» Кочубеевского муниципального округа", app.ProviderOrg, "12", nil, "ул. Октябрьской Революции, 64"},
	{"ООО «Детский клуб «Непоседы»", app.ProviderTraining, "05", []string{"social", "art"}, "ул. Комсомольская, 6"},
	{"МБУ ДО «Центр детского творчества» Нефтекумского муниципального округа", app.ProviderOrg, "17", nil, "ул. Шоссейная, 6"},
	{"АНО ДО «Медиашкола «Вектор»", app.ProviderTraining, "33", []string{"social", "art"}, "ул. Университетская, 3"},
	{"МБУ ДО «Детско-юношеский центр» Александровского муниципального округа", app.ProviderOrg, "01", nil, "ул. Войтика, 27"},
	{"МБУ ДО «Дом детского творчества» Грачёвского муниципального округа", app.ProviderOrg, "08", nil, "ул. Ленина, 34"},
	{"МБУ ДО «Центр детского творчества» Андроповского муниципального округа", app.ProviderOrg, "02", nil, "ул. Стратийчука, 63"},
	{"ООО «Спортивный центр «Чемпион»", app.ProviderTraining, "07", []string{"sport"}, "ул. Октябрьская, 120"},
}

// excludedProvider is the one registration the demo makes that the rules must
// refuse with PROVIDER_EXCLUDED: a children's art school.
const excludedProvider = `МБУ ДО "Детская школа искусств №1"`
