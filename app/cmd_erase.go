package app

import (
	"encoding/json"
	"strings"
)

func init() {
	register(func() Command { return &EraseChild{} })
}

// EraseChild erases a child's personal data when the purpose of processing
// ends (RULES.md §10): the guardian withdrew consent, or 3 years passed after
// the last contract. The Child record stays under its id as an anonymous
// record (Erased set), so certificates, contracts, ledgers and invoices still
// balance; its name, birth date, guardian, phone, SNILS and who took the
// consent go, and so does the name index entry and the certificate's code
// hash. The municipality, the consent date (the legal ground the data was
// processed on, no personal data by itself), the registering node and the
// providers that saw the child stay: the providers' nodes receive the
// anonymous record through the pull.
//
// A child with a contract in force is not erased: the contract is terminated
// first (a provider cannot teach and invoice for a child nobody can name).
// Errors: CHILD_ERASED when erased already, CERTIFICATE_IN_USE, ENOTFOUND.
type EraseChild struct{ Child string }

func (c *EraseChild) Op() string { return "erase_child" }

func (c *EraseChild) Apply(tx Tx, m Meta) error {
	ch, err := Get[Child](tx, c.Child)
	if err != nil {
		return err
	}
	if err := notErased(ch); err != nil {
		return err
	}
	certs, err := List[Certificate](tx, IdxChild, ch.ID, 0)
	if err != nil {
		return err
	}
	for _, cert := range certs {
		ks, err := List[Contract](tx, IdxCertificate, cert.ID, 0)
		if err != nil {
			return err
		}
		for _, k := range ks {
			if k.InForce() {
				return Errorf(CERTIFICATE_IN_USE, "По сертификату %s действует договор № %s: расторгните его, затем удалите персональные данные", cert.NumberRu(), k.NumberRu())
			}
		}
	}
	// The writes come after every check: a refusal on the server must leave
	// nothing written (docs/SYNC.md, the savepoint rule).
	for _, cert := range certs {
		if ok, err := exists[CertCode](tx, cert.ID); err != nil {
			return err
		} else if ok {
			if err := tx.Delete(KindCertCode, cert.ID); err != nil {
				return err
			}
		}
	}
	return tx.Put(Erased(ch, m.Today))
}

// Erased is the anonymous record that stays of ch after erase_child on day.
func Erased(ch Child, day Date) Child {
	return Child{ID: ch.ID, Municipality: ch.Municipality, ConsentDate: ch.ConsentDate,
		Registered: ch.Registered, Providers: ch.Providers, Erased: day}
}

// notErased refuses to act on a child whose personal data was erased.
func notErased(ch Child) error {
	if !ch.Erased.IsZero() {
		return Errorf(CHILD_ERASED, "Персональные данные ребёнка %s удалены %s: с этой записью больше ничего нельзя сделать", ch.ID, ch.Erased)
	}
	return nil
}

// ScrubPayload is the payload of an op of type opType with the personal data
// of child removed, and whether there was any to remove: the domain says what
// is personal, the store rewrites its journal and outbox with it after an
// erase_child (RULES.md §10). A register_child or update_child of the child
// keeps the child's id only; a set_guardian_phone keeps the child, not the
// phone; an issue_certificate for the child loses the code hash. Any other
// payload, one of another child, or one scrubbed already is returned as is
// with false. The scrubbed payload still decodes as its command.
func ScrubPayload(opType string, payload []byte, child string) ([]byte, bool) {
	if child == "" || !strings.Contains(string(payload), child) {
		return payload, false // the fast path of a journal scan: most payloads do not name the child
	}
	var out any
	switch opType {
	case "register_child", "update_child":
		var c struct{ Child Child }
		if json.Unmarshal(payload, &c) != nil || c.Child.ID != child {
			return payload, false
		}
		out = struct{ Child struct{ ID string } }{Child: struct{ ID string }{child}}
	case "set_guardian_phone":
		var c SetGuardianPhone
		if json.Unmarshal(payload, &c) != nil || c.Child != child {
			return payload, false
		}
		out = SetGuardianPhone{Child: child}
	case "issue_certificate":
		var c IssueCertificate
		if json.Unmarshal(payload, &c) != nil || c.Child != child {
			return payload, false
		}
		c.CodeHash = ""
		out = c
	default:
		return payload, false
	}
	b, err := json.Marshal(out)
	if err != nil || string(b) == string(payload) {
		return payload, false
	}
	return b, true
}

// PersonalOps are the op types whose payloads ScrubPayload may change: a
// store looks only at these.
func PersonalOps() []string {
	return []string{"register_child", "update_child", "set_guardian_phone", "issue_certificate"}
}
