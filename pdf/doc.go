// Package pdf renders Kruzhok's documents as PDF with an embedded Cyrillic font.
//
// Each document is read through an app.Reader (inside st.View) and written
// as one []byte; nothing is changed in the store. The text is in Russian,
// amounts as app.FormatRub writes them ("1 234,56 ₽") and dates as 27.11.2026.
package pdf
