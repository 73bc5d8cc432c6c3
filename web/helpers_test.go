package web_test

import (
	"html"
	"strconv"
	"time"
)

func timeNow() time.Time       { return time.Now() }
func itoa(n int) string        { return strconv.Itoa(n) }
func i64(n int64) string       { return strconv.FormatInt(n, 10) }
func escape(s string) string   { return html.EscapeString(s) }
func unescape(s string) string { return html.UnescapeString(s) }
