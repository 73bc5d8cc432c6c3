package sync

import (
	"context"
	"encoding/hex"
	"net/url"
	"strings"
	gosync "sync"

	"kruzhok/app"
	"kruzhok/store"
)

// Join refusals a person can act on (docs/SYNC.md, «Код приглашения»). An
// unknown and a revoked invite share one answer, so that the server tells
// whoever guesses codes nothing about codes that once existed; a spent one
// says so, since only a spent code (useless to anyone) is named by it.
const (
	msgInviteUnknown = "Приглашение не найдено на сервере: проверьте код. Если код только что выдан, " +
		"муниципалитет должен сначала синхронизироваться; если приглашение отозвано, попросите новое"
	msgInviteUsed = "Приглашение уже использовано: один код подключает один компьютер. Попросите новое приглашение"
)

// validSecret reports whether s is a secret of an invite: lowercase hex of
// CodeSecretBytes (a code) or 16 bytes (a long token).
func validSecret(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && (len(b) == CodeSecretBytes || len(b) == 16) && hexLower(s)
}

func hexLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'F' {
			return false
		}
	}
	return true
}

// joinRefusal is the answer to a join that app.JoinNode refused with err:
// a missing or revoked invite is ENOTFOUND, one spent by another node
// INVITE_USED; any other refusal (an expired invite, a key that is taken)
// stays as it is.
func (s *Server) joinRefusal(c *app.JoinNode, err error) error {
	if code := app.ErrorCode(err); code != app.ENOTFOUND && code != app.ECONFLICT {
		return err
	}
	var inv app.Invite
	verr := s.db.View(func(r app.Reader) error {
		var gerr error
		inv, gerr = app.Get[app.Invite](r, c.Hash)
		return gerr
	})
	switch {
	case app.ErrorCode(verr) == app.ENOTFOUND || verr == nil && inv.Status == app.InviteRevoked:
		return errorf(app.ENOTFOUND, "%s", msgInviteUnknown)
	case verr == nil && inv.Status == app.InviteSpent && inv.Node != c.Node:
		return errorf(app.INVITE_USED, "%s", msgInviteUsed)
	}
	return err
}

// JoinWithToken is Join for an invite as a person has it: a code or a long
// token (ParseToken). It checks the server's certificate against the pin the
// invite carries and keeps the certificate's full fingerprint with the sync
// configuration, so every later sync pins all of it; a join cut off before
// the server answered keeps the invite's pin. Errors: Join's, EINVALID for
// a malformed invite (nothing is stored then), and a connection error that
// wraps ErrWrongCertificate when the certificate does not match.
func JoinWithToken(ctx context.Context, db *store.DB, serverURL, token string) error {
	pin, secret, err := ParseToken(token)
	if err != nil {
		return err
	}
	if err := CheckSecureURL(serverURL); err != nil {
		return err
	}
	var mu gosync.Mutex
	seen := ""
	hc := ClientFor(serverURL, pin)
	if pin != "" && isHTTPS(serverURL) {
		hc = pinnedClient(pin, func(fp string) { mu.Lock(); seen = fp; mu.Unlock() })
	}
	err = Join(ctx, db, serverURL, secret, hc)
	mu.Lock()
	full := seen
	mu.Unlock()
	if full == "" {
		full = pin
	}
	if cfg, cerr := db.SyncConfig(); cerr == nil && cfg.Server == serverURL && cfg.Fingerprint != full {
		cfg.Fingerprint = full
		if cerr := db.SetSyncConfig(cfg); cerr != nil && err == nil {
			err = cerr
		}
	}
	return err
}

// isHTTPS reports whether serverURL is an https:// address.
func isHTTPS(serverURL string) bool {
	u, err := url.Parse(strings.TrimSpace(serverURL))
	return err == nil && strings.EqualFold(u.Scheme, "https")
}
