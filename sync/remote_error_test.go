package sync

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"kruzhok/app"
)

// A server's error words are bounded before a node shows or logs them,
// however long the reply the server sent.
func TestRemoteErrorIsBounded(t *testing.T) {
	body, err := json.Marshal(errorBody{Code: strings.Repeat("C", 10_000),
		Message: strings.Repeat("Сообщение ", 50_000), Detail: strings.Repeat("d", 100_000)})
	if err != nil {
		t.Fatal(err)
	}
	var e *app.Error
	if !errors.As(remoteError(400, body), &e) {
		t.Fatal("not an app.Error")
	}
	if len(e.Code) > maxRemoteCode+len("…") || len(e.Message) > maxRemoteMessage+len("…") || len(e.Detail) > maxRemoteMessage+len("…") {
		t.Errorf("code %d, message %d, detail %d bytes", len(e.Code), len(e.Message), len(e.Detail))
	}
	if !strings.HasPrefix(e.Message, "Сообщение Сообщение") || !strings.HasSuffix(e.Message, "…") {
		t.Errorf("message cut badly: …%q", e.Message[len(e.Message)-20:])
	}
	short, _ := json.Marshal(errorBody{Code: app.ENOTFOUND, Message: "Нет такого приглашения"})
	if !errors.As(remoteError(404, short), &e) || e.Code != app.ENOTFOUND || e.Message != "Нет такого приглашения" {
		t.Errorf("a short answer changed: %+v", e)
	}
}
