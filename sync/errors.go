package sync

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"kruzhok/app"
	"kruzhok/store"
)

// Codes of the protocol itself live in app's one append-only list; these
// names keep the sync code readable.
const (
	CodeUnauthorized = app.UNAUTHORIZED       // bad or missing signature, unknown or revoked key, stale time
	CodeTooLarge     = app.TOO_LARGE          // over the body, decompression or op-count limits
	CodeSchema       = app.SCHEMA_UNSUPPORTED // a batch of a schema this binary does not speak
	CodeEpochChanged = app.EPOCH_CHANGED      // the server was restored: reset and pull from 0
	CodeNeedFrom     = app.NEED_FROM          // a push that does not start right after the ack
)

// statusOf is the one table from error codes to HTTP status. A domain code
// that is not listed is a refused business rule: 422.
var statusOf = map[string]int{
	app.EINVALID:        http.StatusBadRequest,
	CodeSchema:          http.StatusBadRequest,
	CodeUnauthorized:    http.StatusUnauthorized,
	app.SCOPE_FORBIDDEN: http.StatusForbidden,
	app.AUTHORITY_ONLY:  http.StatusForbidden,
	app.ENOTFOUND:       http.StatusNotFound,
	app.ECONFLICT:       http.StatusConflict,
	app.INVITE_USED:     http.StatusConflict,
	CodeEpochChanged:    http.StatusConflict,
	CodeNeedFrom:        http.StatusConflict,
	CodeTooLarge:        http.StatusRequestEntityTooLarge,
	app.EINTERNAL:       http.StatusInternalServerError,
}

// HTTPStatus is the status a server answers for an error code.
func HTTPStatus(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusUnprocessableEntity
}

// errorBody is the JSON body of every error reply. Epoch and Acked come only
// with EPOCH_CHANGED.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
	Epoch   string `json:"epoch,omitempty"`
	Acked   uint64 `json:"acked,omitempty"`
}

// bodyOf is the reply to err, its message and detail clipped like a stored
// rejection's: an error may quote what the client sent.
func bodyOf(err error) errorBody {
	b := errorBody{Code: app.ErrorCode(err), Message: store.ClipText(app.ErrorMessage(err), store.MaxResultMessage)}
	var ae *app.Error
	if errors.As(err, &ae) {
		b.Detail = store.ClipText(ae.Detail, store.MaxResultDetail)
	}
	return b
}

// writeError answers err with its status and body.
func writeError(w http.ResponseWriter, err error) {
	b := bodyOf(err)
	writeJSON(w, HTTPStatus(b.Code), b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"code":"INTERNAL","message":"Сбой сервера при записи ответа"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	setWriteDeadline(w, len(data))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// setWriteDeadline gives a reply of n bytes replyTime plus n at replyRate:
// a client that reads slower is cut, and its request lets go of what it holds.
func setWriteDeadline(w http.ResponseWriter, n int) {
	d := replyTime + time.Duration(int64(n)/replyRate)*time.Second
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d)) // none in a recorder
}

// The reply's write deadline: DefaultLimits' WriteTime and MinBodyRate.
const (
	replyTime = 30 * time.Second
	replyRate = 1 << 10
)

// remoteError turns a server's error reply into an *app.Error with the
// server's code and Russian message. A reply that is not ours (a proxy's
// page) becomes EINTERNAL naming the status.
func remoteError(status int, body []byte) error {
	var b errorBody
	if err := json.Unmarshal(body, &b); err != nil || b.Code == "" {
		return &app.Error{Code: app.EINTERNAL,
			Message: fmt.Sprintf("Сервер ответил %d %s без описания ошибки", status, http.StatusText(status))}
	}
	// The server's words are shown in the window and logged: bounded first,
	// whatever the reply's size.
	return &app.Error{Code: clipTo(b.Code, maxRemoteCode), Message: clipTo(b.Message, maxRemoteMessage),
		Detail: clipTo(b.Detail, maxRemoteMessage)}
}

// Bounds of a server's error words as a node keeps them (bytes).
const (
	maxRemoteCode    = 64
	maxRemoteMessage = 1000
)

// clipTo shortens s longer than n bytes to at most n at a rune boundary,
// marking the cut with «…».
func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for i := n; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}

func errorf(code, format string, args ...any) error { return app.Errorf(code, format, args...) }
