package store

import "kruzhok/app"

// SetCommandDecoder makes ApplyRemote and Rebase rebuild commands with f (the
// tests' own commands besides app's) until the returned func restores it.
func SetCommandDecoder(f func(op string, payload []byte) (app.Command, error)) (restore func()) {
	old := commandDecoder
	commandDecoder = f
	return func() { commandDecoder = old }
}

// SetPageExamine bounds the feed entries one Pull page examines until the
// returned func restores it.
func SetPageExamine(n int) (restore func()) {
	old := pageExamine
	pageExamine = n
	return func() { pageExamine = old }
}
