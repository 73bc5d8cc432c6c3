package app

import (
	"encoding/hex"
	"strings"
)

func init() {
	register(func() Command { return &CreateInvite{} })
	register(func() Command { return &RevokeInvite{} })
	register(func() Command { return &JoinNode{} })
	register(func() Command { return &RollOverPeriod{} })
	register(func() Command { return &RevokeNode{} })
}

// RevokeNode stops a node: the server refuses its pushes and pulls from then
// on (a stolen laptop, a provider that left). Errors: SCOPE_FORBIDDEN when the
// node's scope is outside the revoking node's, ECONFLICT when already revoked.
type RevokeNode struct{ Node string }

func (c *RevokeNode) Op() string { return "revoke_node" }

func (c *RevokeNode) Apply(tx Tx, m Meta) error {
	n, err := Get[Node](tx, c.Node)
	if err != nil {
		return err
	}
	if !ScopeContains(tx, m.Scope, n.Scope) || m.Scope == n.Scope {
		return Errorf(SCOPE_FORBIDDEN, "Узел «%s» не может отключить узел области «%s»", m.Scope, n.Scope)
	}
	if n.Status == "revoked" {
		return Errorf(ECONFLICT, "Узел уже отключён")
	}
	n.Status = "revoked"
	return tx.Put(n)
}

// Kinds of the sync registry.
const (
	KindInvite Kind = "invite"
	KindNode   Kind = "node"
)

// Invite statuses.
const (
	InviteOpen    = "open"
	InviteSpent   = "spent"
	InviteRevoked = "revoked"
)

// Invite is a one-time token to join a node for a scope. Only the SHA-256 of
// the token's secret is kept.
type Invite struct {
	Hash    string // hex SHA-256 of the secret
	Scope   string
	By      string // the scope that created it
	Created Date
	Expires Date // the last day it can be spent
	Status  string
	Node    string // the node that spent it
}

// Days an invite lives (RULES.md §11).
const (
	InviteDays    = 7
	MaxInviteDays = 30
)

func (i Invite) Kind() Kind       { return KindInvite }
func (i Invite) RecordID() string { return i.Hash }
func (i Invite) Indexes() []Index { return []Index{{"by", i.By}} }

// Node is a joined node: its id, scope and ed25519 public key (hex).
type Node struct {
	ID     string
	Scope  string
	Key    string
	Joined Date
	Status string // "active" or "revoked"
}

func (n Node) Kind() Kind       { return KindNode }
func (n Node) RecordID() string { return n.ID }
func (n Node) Indexes() []Index { return []Index{{"key", n.Key}} }

func checkHex(field, s string, n int) error {
	if b, err := hex.DecodeString(s); err != nil || len(b) != n || strings.ToLower(s) != s {
		return Errorf(EINVALID, "Неверное значение поля %s", field)
	}
	return nil
}

// CreateInvite records a one-time invite for a scope within the creating
// node's own, good for Days days (0: InviteDays; at most MaxInviteDays).
// Providers make none (RULES.md §11). Errors: SCOPE_FORBIDDEN, ECONFLICT,
// EINVALID.
type CreateInvite struct {
	Hash  string
	Scope string
	Days  int
}

func (c *CreateInvite) Op() string { return "create_invite" }

func (c *CreateInvite) Apply(tx Tx, m Meta) error {
	if err := checkHex("hash", c.Hash, 32); err != nil {
		return err
	}
	days := c.Days
	if days == 0 {
		days = InviteDays
	}
	if days < 1 || days > MaxInviteDays {
		return Errorf(EINVALID, "Приглашение действует от 1 до %d дней, указано %d", MaxInviteDays, c.Days)
	}
	if k, _, _ := ParseScope(m.Scope); k == "provider" {
		return Errorf(SCOPE_FORBIDDEN, "Исполнитель не приглашает узлы: приглашение выдаёт муниципалитет или РМЦ")
	}
	kind, id, err := ParseScope(c.Scope)
	if err != nil {
		return err
	}
	switch kind {
	case "municipality":
		if _, err := checkMunicipality(tx, id); err != nil {
			return err
		}
	case "provider":
		if _, err := Get[Provider](tx, id); err != nil {
			return err
		}
	}
	if !ScopeContains(tx, m.Scope, c.Scope) {
		return Errorf(SCOPE_FORBIDDEN, "Узел «%s» не может приглашать в область «%s»", m.Scope, c.Scope)
	}
	if ok, err := exists[Invite](tx, c.Hash); err != nil {
		return err
	} else if ok {
		return Errorf(ECONFLICT, "Такое приглашение уже есть")
	}
	return tx.Put(Invite{Hash: c.Hash, Scope: c.Scope, By: m.Scope, Created: m.Today,
		Expires: m.Today.AddDays(days), Status: InviteOpen})
}

// RevokeInvite revokes an unspent invite.
type RevokeInvite struct{ Hash string }

func (c *RevokeInvite) Op() string { return "revoke_invite" }

func (c *RevokeInvite) Apply(tx Tx, m Meta) error {
	inv, err := Get[Invite](tx, c.Hash)
	if err != nil {
		return err
	}
	if !ScopeContains(tx, m.Scope, inv.By) && !ScopeContains(tx, m.Scope, inv.Scope) {
		return Errorf(SCOPE_FORBIDDEN, "Чужое приглашение")
	}
	if inv.Status != InviteOpen {
		return Errorf(ECONFLICT, "Приглашение уже использовано или отозвано")
	}
	inv.Status = InviteRevoked
	return tx.Put(inv)
}

// JoinNode spends an invite and registers the node with its public key; the
// server runs it when a node joins. Errors: ENOTFOUND (unknown token),
// ECONFLICT (spent or revoked token, node or key already joined).
type JoinNode struct {
	Hash string
	Node string
	Key  string
}

func (c *JoinNode) Op() string { return "join_node" }

func (c *JoinNode) Apply(tx Tx, m Meta) error {
	if err := authorityOnly(m, "Подключение узла"); err != nil {
		return err
	}
	if err := checkHex("hash", c.Hash, 32); err != nil {
		return err
	}
	if err := checkHex("key", c.Key, 32); err != nil {
		return err
	}
	if err := checkID("узла", c.Node); err != nil {
		return err
	}
	inv, err := Get[Invite](tx, c.Hash)
	if ErrorCode(err) == ENOTFOUND {
		return Errorf(ENOTFOUND, "Приглашение не найдено: проверьте код")
	} else if err != nil {
		return err
	}
	if inv.Status != InviteOpen {
		return Errorf(ECONFLICT, "Приглашение уже использовано или отозвано")
	}
	if !inv.Expires.IsZero() && m.Today > inv.Expires || inv.Expires.IsZero() && m.Today > inv.Created.AddDays(InviteDays) {
		return Errorf(INVITE_EXPIRED, "Срок приглашения истёк: попросите новое")
	}
	if ok, err := exists[Node](tx, c.Node); err != nil {
		return err
	} else if ok {
		return Errorf(ECONFLICT, "Узел %s уже подключён", c.Node)
	}
	if same, err := List[Node](tx, "key", c.Key, 1); err != nil {
		return err
	} else if len(same) > 0 {
		return Errorf(ECONFLICT, "Ключ уже принадлежит другому узлу")
	}
	inv.Status, inv.Node = InviteSpent, c.Node
	if err := tx.Put(inv); err != nil {
		return err
	}
	return tx.Put(Node{ID: c.Node, Scope: inv.Scope, Key: c.Key, Joined: m.Today, Status: "active"})
}

// RollOverPeriod is the server's job on the first day of the next period: the
// next period becomes current, and the one after it is added as next. Balances
// never carry over: each period's ledger starts from its own nominal.
// Errors: AUTHORITY_ONLY, DATE_OUT_OF_PERIOD when Date is not in the next period.
type RollOverPeriod struct{ Date Date }

func (c *RollOverPeriod) Op() string { return "roll_over_period" }

func (c *RollOverPeriod) Apply(tx Tx, m Meta) error {
	if err := authorityOnly(m, "Смена периода"); err != nil {
		return err
	}
	r, err := region(tx)
	if err != nil {
		return err
	}
	next, ok := r.Period(r.Next)
	if !ok || !next.Contains(c.Date) {
		return Errorf(DATE_OUT_OF_PERIOD, "Дата %s не в следующем периоде", c.Date.Russian())
	}
	after := Period{ID: nextPeriodID(next), Start: next.End + 1}
	y, mo, d := next.End.Parts()
	after.End = NewDate(y+1, mo, d)
	r.Current, r.Next = next.ID, after.ID
	if _, ok := r.Period(after.ID); !ok {
		r.Periods = append(r.Periods, after)
	}
	if err := checkRegion(r); err != nil {
		return err
	}
	return tx.Put(r)
}

func nextPeriodID(p Period) string {
	y, _, _ := p.End.Parts()
	return itoa(y) + "-" + itoa(y+1)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
