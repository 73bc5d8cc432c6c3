package app

import (
	"slices"
	"sort"
)

// Who is a node that pushed an op, as the server knows it from its own
// registry: the kind of its scope, its id there, and for a provider the
// municipality its record names.
type Who struct {
	Kind string // "region", "municipality" or "provider"
	ID   string // the municipality's code or the provider's id; "" for the region
	Mun  string // a provider's municipality, from the provider's record

	suspended bool // a provider whose record says suspended
}

// whileSuspended are the ops a suspended provider still pushes: it finishes
// what it started, and takes on nothing new.
var whileSuspended = map[string]bool{"mark_attendance": true, "cancel_lesson": true,
	"submit_invoice": true, "terminate": true, "set_guardian_phone": true, "decline_application": true}

func (w Who) isRegion() bool            { return w.Kind == ScopeRegion }
func (w Who) isMun(code string) bool    { return w.Kind == "municipality" && w.ID == code }
func (w Who) isProvider(id string) bool { return w.Kind == "provider" && w.ID == id }

// sees reports whether a provider node sees a record whose Providers are ps.
func (w Who) sees(ps []string) bool { return w.Kind == "provider" && slices.Contains(ps, w.ID) }

// Permission is one row of the authorization table (RULES.md §11): who may
// push an op of type Op. Region, Municipality and Provider say it in words
// for docs/SECURITY.md; Allow judges one op against the server's own state,
// never against what the op claims about its target. A nil Allow lets no node
// push the op: it is the server's own work.
type Permission struct {
	Op                             string
	Region, Municipality, Provider string
	Allow                          func(r Reader, w Who, cmd Command) (bool, error)
}

// Words of the table.
const (
	allowAll  = "✔"
	allowNone = "✘"
	notTheirs = "–"
	jobOnly   = "✘ (задание сервера)"
)

// permissions is the authorization table: every registered op type has a row.
var permissions = map[string]Permission{}

func allow(p Permission) { permissions[p.Op] = p }

// Permissions lists the table's rows in op order, for the matrix test and
// docs/SECURITY.md.
func Permissions() []Permission {
	out := make([]Permission, 0, len(permissions))
	for _, p := range permissions {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Op < out[j].Op })
	return out
}

// RegisterPermission adds the row of an op type that has none: the storage
// tests' own commands. A row already in the table cannot be replaced.
func RegisterPermission(p Permission) {
	if _, dup := permissions[p.Op]; dup {
		panic("app: the authorization table has a row for " + p.Op + " already")
	}
	permissions[p.Op] = p
}

// PermissionOf returns the row of an op type.
func PermissionOf(op string) (Permission, bool) {
	p, ok := permissions[op]
	return p, ok
}

// Anyone is the Allow of a row that lets every joined node push the op; the
// storage tests' own commands use it.
func Anyone(Reader, Who, Command) (bool, error) { return true, nil }

// whoOf reads a node's scope against the server's state.
func whoOf(r Reader, scope string) (Who, error) {
	kind, id, err := ParseScope(scope)
	if err != nil {
		return Who{}, err
	}
	w := Who{Kind: kind, ID: id}
	if kind == "provider" {
		p, err := Get[Provider](r, id)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return w, err
		}
		w.Mun, w.suspended = p.Municipality, p.Status == ProviderSuspended
	}
	return w, nil
}

// Authorize judges an op pushed by the node m.Node of scope m.Scope with the
// authorization table, from the server's own state. An op type without a row,
// or with no node allowed, is refused. Errors: SCOPE_FORBIDDEN, which carries
// in Keep the region's alert about the node; ENOTFOUND and others of the
// lookups.
func Authorize(r Reader, m Meta, cmd Command) error {
	ok, err := false, error(nil)
	if p, known := permissions[cmd.Op()]; known && p.Allow != nil {
		var w Who
		if w, err = whoOf(r, m.Scope); err == nil && w.suspended && !whileSuspended[cmd.Op()] {
			err = Errorf(PROVIDER_NOT_ACTIVE, "Исполнитель приостановлен: он завершает начатое (журнал, счета, расторжение), но не берёт новых детей и не меняет программы")
		}
		if err == nil {
			ok, err = p.Allow(r, w, cmd)
		}
	}
	if err == nil && !ok {
		err = Errorf(SCOPE_FORBIDDEN, "Узел «%s» не может выполнять «%s» для этой записи", m.Scope, cmd.Op())
	}
	if e, isApp := err.(*Error); isApp && e.Code == SCOPE_FORBIDDEN {
		a, aerr := raiseAlert(r, m, SCOPE_FORBIDDEN, cmd.Op())
		if aerr != nil {
			return aerr
		}
		e.Keep = append(e.Keep, a)
	}
	return err
}

// The lookups the rows share: the owner of a record, from the stored record.

func providerOfProgramme(r Reader, id string) (string, error) {
	p, err := Get[Programme](r, id)
	return p.Provider, err
}

func providerOfGroup(r Reader, id string) (string, error) {
	g, err := Get[Group](r, id)
	return g.Provider, err
}

// actsForProvider: a provider for itself, or a municipality for the providers
// registered in it (on their behalf). The region does not run providers.
func actsForProvider(r Reader, w Who, provider string) (bool, error) {
	switch w.Kind {
	case "provider":
		return w.ID == provider, nil
	case "municipality":
		p, err := Get[Provider](r, provider)
		if err != nil {
			return false, err
		}
		return p.Municipality == w.ID, nil
	}
	return false, nil
}

// residentChild: the region, or the municipality the stored child lives in.
func residentChild(r Reader, w Who, id string) (bool, error) {
	ch, err := Get[Child](r, id)
	return w.isRegion() || w.isMun(ch.Municipality), err
}

// residentCert: the region, or the municipality of the stored certificate.
func residentCert(r Reader, w Who, id string) (bool, error) {
	c, err := Get[Certificate](r, id)
	return w.isRegion() || w.isMun(c.Municipality), err
}

// scopeWithinMun: a municipality's own scope or one of its providers'.
func scopeWithinMun(r Reader, mun, scope string) bool {
	kind, id, err := ParseScope(scope)
	switch {
	case err != nil:
		return false
	case kind == "municipality":
		return id == mun
	case kind == "provider":
		p, err := Get[Provider](r, id)
		return err == nil && p.Municipality == mun
	}
	return false
}

func init() {
	onlyRegion := func(r Reader, w Who, cmd Command) (bool, error) { return w.isRegion(), nil }
	ownMun := func(mun func(Command) string) func(Reader, Who, Command) (bool, error) {
		return func(r Reader, w Who, cmd Command) (bool, error) { return w.isRegion() || w.isMun(mun(cmd)), nil }
	}
	// Certificates and children (RULES.md §3, §10).
	allow(Permission{Op: "register_child", Region: allowAll, Municipality: "жители M", Provider: "✔, сертификат неподтверждённый",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			return w.isRegion() || w.isMun(cmd.(*RegisterChild).Child.Municipality) || w.Kind == "provider", nil
		}})
	allow(Permission{Op: "update_child", Region: allowAll, Municipality: "жители M", Provider: allowNone,
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			return residentChild(r, w, cmd.(*UpdateChild).Child.ID)
		}})
	allow(Permission{Op: "erase_child", Region: allowAll, Municipality: "жители M", Provider: allowNone,
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			return residentChild(r, w, cmd.(*EraseChild).Child)
		}})
	allow(Permission{Op: "set_guardian_phone", Region: allowAll, Municipality: "жители M", Provider: "дети, которых он видит",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			ch, err := Get[Child](r, cmd.(*SetGuardianPhone).Child)
			return w.isRegion() || w.isMun(ch.Municipality) || w.sees(ch.Providers), err
		}})
	allow(Permission{Op: "issue_certificate", Region: allowAll, Municipality: "жители M", Provider: "дети, которых он видит; неподтверждённый",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			ch, err := Get[Child](r, cmd.(*IssueCertificate).Child)
			return w.isRegion() || w.isMun(ch.Municipality) || w.sees(ch.Providers), err
		}})
	for _, op := range []string{"confirm_certificate", "new_certificate_code", "freeze_certificate", "return_to_accounting"} {
		allow(Permission{Op: op, Region: allowAll, Municipality: "жители M", Provider: allowNone,
			Allow: func(r Reader, w Who, cmd Command) (bool, error) {
				return residentCert(r, w, cmd.(interface{ certificate() string }).certificate())
			}})
	}
	allow(Permission{Op: "request_financing", Region: allowAll, Municipality: "жители M", Provider: "дети, которых он видит, подтверждённые",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			c, err := Get[Certificate](r, cmd.(*RequestFinancing).Certificate)
			return w.isRegion() || w.isMun(c.Municipality) || w.sees(c.Providers), err
		}})
	allow(Permission{Op: "transfer_certificate", Region: allowAll, Municipality: "жители M", Provider: "дети, которых он видит",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			c, err := Get[Certificate](r, cmd.(*TransferCertificate).Certificate)
			return w.isRegion() || w.isMun(c.Municipality) || w.sees(c.Providers), err
		}})
	allow(Permission{Op: "decline_application", Region: notTheirs, Municipality: "её исполнители", Provider: "заявления к себе",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			return actsForProvider(r, w, cmd.(*DeclineApplication).Provider)
		}})
	allow(Permission{Op: "apply_child", Region: "✔, к любому исполнителю", Municipality: "жители M, к любому исполнителю", Provider: "к себе, по номеру и коду",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			c := cmd.(*ApplyChild)
			switch w.Kind {
			case "provider":
				return w.ID == c.Provider, nil
			case "municipality":
				cert, found, err := certByNumber(r, c.Number)
				// An unknown number is the command's one message for every failed lookup.
				return !found || cert.Municipality == w.ID, err
			}
			return w.isRegion(), nil
		}})

	// A provider's own work, or its municipality on its behalf.
	allow(Permission{Op: "save_programme", Region: notTheirs, Municipality: "её исполнители", Provider: "свои",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			c := cmd.(*SaveProgramme)
			owner := c.Provider
			if p, err := Get[Programme](r, c.ID); err == nil {
				owner = p.Provider
			} else if ErrorCode(err) != ENOTFOUND {
				return false, err
			}
			ok, err := actsForProvider(r, w, owner)
			return ok && owner == c.Provider, err
		}})
	allow(Permission{Op: "save_module", Region: notTheirs, Municipality: "её исполнители", Provider: "свои",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			c := cmd.(*SaveModule)
			if m, err := Get[Module](r, c.ID); err == nil && m.Programme != c.Programme {
				return false, nil
			}
			p, err := providerOfProgramme(r, c.Programme)
			if err != nil {
				return false, err
			}
			return actsForProvider(r, w, p)
		}})
	for _, op := range []string{"submit_programme", "archive_programme"} {
		allow(Permission{Op: op, Region: notTheirs, Municipality: "её исполнители", Provider: "свои",
			Allow: func(r Reader, w Who, cmd Command) (bool, error) {
				p, err := providerOfProgramme(r, cmd.(interface{ programme() string }).programme())
				if err != nil {
					return false, err
				}
				return actsForProvider(r, w, p)
			}})
	}
	allow(Permission{Op: "open_group", Region: notTheirs, Municipality: "её исполнители", Provider: "свои",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			c := cmd.(*OpenGroup)
			m, err := Get[Module](r, c.Module)
			if err != nil {
				return false, err
			}
			owner, err := providerOfProgramme(r, m.Programme)
			if err != nil {
				return false, err
			}
			if g, err := Get[Group](r, c.ID); err == nil && g.Provider != owner {
				return false, nil
			}
			return actsForProvider(r, w, owner)
		}})
	allow(Permission{Op: "enrol", Region: notTheirs, Municipality: "её исполнители, дети M или видимые исполнителю", Provider: "свои группы, дети, которых он видит",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			c := cmd.(*Enrol)
			owner, err := providerOfGroup(r, c.Group)
			if err != nil {
				return false, err
			}
			cert, err := Get[Certificate](r, c.Certificate)
			if err != nil {
				return false, err
			}
			ok, err := actsForProvider(r, w, owner)
			return ok && (slices.Contains(cert.Providers, owner) || w.isMun(cert.Municipality)), err
		}})
	for _, op := range []string{"mark_attendance", "cancel_lesson"} {
		allow(Permission{Op: op, Region: notTheirs, Municipality: "её исполнители", Provider: "свои группы",
			Allow: func(r Reader, w Who, cmd Command) (bool, error) {
				owner, err := providerOfGroup(r, cmd.(interface{ group() string }).group())
				if err != nil {
					return false, err
				}
				return actsForProvider(r, w, owner)
			}})
	}
	allow(Permission{Op: "terminate", Region: allowAll, Municipality: "договоры жителей M", Provider: "свои",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			k, err := Get[Contract](r, cmd.(*Terminate).Contract)
			return w.isRegion() || w.isMun(k.Municipality) || w.isProvider(k.Provider), err
		}})

	// Invoices (RULES.md §8): the provider submits, the paying municipality decides.
	allow(Permission{Op: "submit_invoice", Region: notTheirs, Municipality: allowNone, Provider: "свои",
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			inv, err := Get[Invoice](r, cmd.(*SubmitInvoice).Invoice)
			return w.isProvider(inv.Provider), err
		}})
	for _, op := range []string{"approve_invoice", "pay_invoice", "record_refund"} {
		allow(Permission{Op: op, Region: notTheirs, Municipality: "счета, которые она оплачивает", Provider: allowNone,
			Allow: func(r Reader, w Who, cmd Command) (bool, error) {
				inv, err := Get[Invoice](r, cmd.(interface{ invoice() string }).invoice())
				return w.isMun(inv.Municipality), err
			}})
	}

	// A municipality's parameters, registry and providers.
	allow(Permission{Op: "set_params", Region: allowAll, Municipality: "M", Provider: allowNone,
		Allow: ownMun(func(c Command) string { return c.(*SetParams).Params.Municipality })})
	allow(Permission{Op: "list_programme", Region: allowAll, Municipality: "M", Provider: allowNone,
		Allow: ownMun(func(c Command) string { return c.(*ListProgramme).Municipality })})
	allow(Permission{Op: "unlist_programme", Region: allowAll, Municipality: "M", Provider: allowNone,
		Allow: ownMun(func(c Command) string { return c.(*UnlistProgramme).Municipality })})
	allow(Permission{Op: "register_provider", Region: allowAll, Municipality: "M", Provider: allowNone,
		Allow: ownMun(func(c Command) string { return c.(*RegisterProvider).Municipality })})
	allow(Permission{Op: "set_provider_status", Region: allowAll, Municipality: "исполнители M", Provider: allowNone,
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			p, err := Get[Provider](r, cmd.(*SetProviderStatus).Provider)
			return w.isRegion() || w.isMun(p.Municipality), err
		}})

	// The region's own decisions.
	for _, op := range []string{"certify_programme", "deny_programme", "set_period", "set_price_cap", "set_municipality_type"} {
		allow(Permission{Op: op, Region: allowAll, Municipality: allowNone, Provider: allowNone, Allow: onlyRegion})
	}

	// Invites and nodes.
	allow(Permission{Op: "create_invite", Region: "любая область", Municipality: "M и её исполнители", Provider: allowNone,
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			return w.isRegion() || w.Kind == "municipality" && scopeWithinMun(r, w.ID, cmd.(*CreateInvite).Scope), nil
		}})
	allow(Permission{Op: "revoke_invite", Region: allowAll, Municipality: "приглашения в M и к её исполнителям", Provider: allowNone,
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			inv, err := Get[Invite](r, cmd.(*RevokeInvite).Hash)
			return w.isRegion() || w.Kind == "municipality" && scopeWithinMun(r, w.ID, inv.Scope), err
		}})
	allow(Permission{Op: "revoke_node", Region: "любой другой узел", Municipality: "узлы её исполнителей", Provider: allowNone,
		Allow: func(r Reader, w Who, cmd Command) (bool, error) {
			n, err := Get[Node](r, cmd.(*RevokeNode).Node)
			if err != nil {
				return false, err
			}
			k, _, _ := ParseScope(n.Scope)
			return w.isRegion() || w.Kind == "municipality" && k == "provider" && scopeWithinMun(r, w.ID, n.Scope), nil
		}})

	// The server's own work: never accepted from a push, whatever the node.
	for _, op := range []string{"join_node", "close_month", "downgrade_unused", "roll_over_period", "seed_region", "retire_applications"} {
		allow(Permission{Op: op, Region: jobOnly, Municipality: allowNone, Provider: allowNone})
	}
}

// The accessors the shared rows use.
func (c *ConfirmCertificate) certificate() string { return c.Certificate }
func (c *NewCertificateCode) certificate() string { return c.Certificate }
func (c *FreezeCertificate) certificate() string  { return c.Certificate }
func (c *ReturnToAccounting) certificate() string { return c.Certificate }
func (c *SubmitProgramme) programme() string      { return c.Programme }
func (c *ArchiveProgramme) programme() string     { return c.Programme }
func (c *MarkAttendance) group() string           { return c.Group }
func (c *CancelLesson) group() string             { return c.Group }
func (c *ApproveInvoice) invoice() string         { return c.Invoice }
func (c *PayInvoice) invoice() string             { return c.Invoice }
func (c *RecordRefund) invoice() string           { return c.Invoice }
