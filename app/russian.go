package app

import "strings"

// Accusative puts the name of a form field, given in the nominative as its
// label reads («дата рождения», «нормативная стоимость»), into the accusative
// that «Укажите …» needs («дату рождения», «нормативную стоимость»). Field
// names are inanimate, so only feminine words in -а/-я change: the leading
// adjectives (-ая → -ую, -яя → -юю) and the first noun (-а → -у, -я → -ю);
// the words after the first noun are its complements and keep their case.
// Neuter nouns in -мя (имя, время) and every other word stay as they are.
func Accusative(phrase string) string {
	words := strings.Split(phrase, " ")
	for i, w := range words {
		switch {
		case strings.HasSuffix(w, "ая"):
			words[i] = strings.TrimSuffix(w, "ая") + "ую"
			continue
		case strings.HasSuffix(w, "яя"):
			words[i] = strings.TrimSuffix(w, "яя") + "юю"
			continue
		case strings.HasSuffix(w, "мя"):
		case strings.HasSuffix(w, "а"):
			words[i] = strings.TrimSuffix(w, "а") + "у"
		case strings.HasSuffix(w, "я"):
			words[i] = strings.TrimSuffix(w, "я") + "ю"
		}
		break
	}
	return strings.Join(words, " ")
}
