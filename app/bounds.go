package app

import (
	"reflect"
	"unicode/utf8"
)

// Bounds on every value a command carries, checked before it runs on any
// node or the server (THREATS.md: nothing a node sends is stored unbounded).
// Each command checks its own fields more tightly (names 100–300 characters,
// SNILS 14, a phone 20); these are the ceiling no field escapes.
const (
	MaxText  = 4000 // characters of any string (free text: descriptions)
	MaxItems = 1000 // elements of any list or map (a schedule, marks of a lesson)
)

// CheckBounds refuses a command any of whose strings is longer than MaxText
// characters or not UTF-8, or any of whose lists or maps has more than
// MaxItems elements. Errors: EINVALID (the message names the field, never its
// value).
func CheckBounds(cmd Command) error {
	if cmd == nil {
		return Errorf(EINVALID, "Пустая команда")
	}
	return bounded(reflect.ValueOf(cmd), cmd.Op(), 0)
}

func bounded(v reflect.Value, path string, depth int) error {
	if depth > 8 {
		return Errorf(EINVALID, "Команда %s вложена слишком глубоко", path)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return bounded(v.Elem(), path, depth+1)
	case reflect.String:
		s := v.String()
		if len(s) > 4*MaxText || !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxText {
			return Errorf(EINVALID, "Поле %s: не больше %d символов UTF-8", path, MaxText)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			if err := bounded(v.Field(i), path+"."+t.Field(i).Name, depth+1); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			if v.Len() > 4*MaxText {
				return Errorf(EINVALID, "Поле %s: не больше %d байт", path, 4*MaxText)
			}
			return nil
		}
		if v.Len() > MaxItems {
			return Errorf(EINVALID, "Поле %s: не больше %d элементов", path, MaxItems)
		}
		for i := range v.Len() {
			if err := bounded(v.Index(i), path, depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		if v.Len() > MaxItems {
			return Errorf(EINVALID, "Поле %s: не больше %d элементов", path, MaxItems)
		}
		it := v.MapRange()
		for it.Next() {
			if err := bounded(it.Key(), path, depth+1); err != nil {
				return err
			}
			if err := bounded(it.Value(), path, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}
