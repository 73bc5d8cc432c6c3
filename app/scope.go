package app

import (
	"slices"
	"strings"
)

// Scopes of nodes: "region", "municipality:<code>", "provider:<id>".
const (
	ScopeRegion       = "region"
	scopeMunicipality = "municipality:"
	scopeProvider     = "provider:"
	// AudienceAll marks a public record that every node receives (reference data
	// and both programme registries).
	AudienceAll = "*"
)

// MunicipalityScope and ProviderScope build scope names.
func MunicipalityScope(code string) string { return scopeMunicipality + code }
func ProviderScope(id string) string       { return scopeProvider + id }

// ParseScope splits a scope into its kind ("region", "municipality",
// "provider") and id; a malformed scope is EINVALID.
func ParseScope(s string) (kind, id string, err error) {
	if s == ScopeRegion {
		return ScopeRegion, "", nil
	}
	k, id, ok := strings.Cut(s, ":")
	if !ok || (k != "municipality" && k != "provider") || checkID("области", id) != nil {
		return "", "", Errorf(EINVALID, "Неверная область узла «%s»: region, municipality:<код> или provider:<id>", s)
	}
	return k, id, nil
}

// ScopeContains reports whether a node of scope outer may act for scope inner:
// the region contains everything, a municipality itself and the providers
// registered in it, a provider only itself.
func ScopeContains(r Reader, outer, inner string) bool {
	switch {
	case outer == ScopeRegion || outer == inner:
		return true
	case strings.HasPrefix(outer, scopeMunicipality) && strings.HasPrefix(inner, scopeProvider):
		p, err := Get[Provider](r, strings.TrimPrefix(inner, scopeProvider))
		return err == nil && MunicipalityScope(p.Municipality) == outer
	}
	return false
}

// Audience lists the scopes that receive a record besides the region, which
// receives everything; AudienceAll means every node. A node sees only the
// personal data of its scope (RULES.md §10).
func Audience(rec Record) []string {
	switch v := rec.(type) {
	case Region, Municipality, Direction, Params, Provider, Programme, Module, Listing, Group:
		return []string{AudienceAll}
	case Quota:
		return []string{MunicipalityScope(v.Municipality)}
	case Request:
		return []string{MunicipalityScope(v.Municipality)}
	case Child:
		return append([]string{MunicipalityScope(v.Municipality)}, providerScopes(v.Providers)...)
	case Certificate:
		return append([]string{MunicipalityScope(v.Municipality)}, providerScopes(v.Providers)...)
	case Contract:
		return []string{MunicipalityScope(v.Municipality), ProviderScope(v.Provider)}
	case Lesson:
		return []string{ProviderScope(v.Provider)}
	case Invoice:
		return []string{MunicipalityScope(v.Municipality), ProviderScope(v.Provider)}
	case Invite:
		return []string{v.By}
	case Node:
		return []string{v.Scope}
	}
	return nil
}

func providerScopes(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, ProviderScope(id))
	}
	return out
}

// Visible reports whether a node of scope receives rec.
func Visible(rec Record, scope string) bool {
	if scope == ScopeRegion {
		return true
	}
	a := Audience(rec)
	return slices.Contains(a, AudienceAll) || slices.Contains(a, scope)
}

// Authorize checks that a node of scope may issue cmd: the command's target
// must lie within the node's scope (DESIGN.md "Ownership"). The server calls it
// for every op before applying it. Errors: SCOPE_FORBIDDEN.
func Authorize(r Reader, scope string, cmd Command) error {
	owners, err := owners(r, cmd)
	if err != nil {
		return err
	}
	for _, o := range owners {
		if o == AudienceAll || ScopeContains(r, scope, o) {
			return nil
		}
	}
	return Errorf(SCOPE_FORBIDDEN, "Узел с областью «%s» не может выполнять «%s» для этой записи", scope, cmd.Op())
}

// owners lists the scopes any one of which may issue the command.
func owners(r Reader, cmd Command) ([]string, error) {
	prov := func(id string) []string { return []string{ProviderScope(id)} }
	mun := func(code string) []string { return []string{MunicipalityScope(code)} }
	switch c := cmd.(type) {
	case *RegisterChild, *IssueCertificate, *RequestFinancing, *TransferCertificate, *ApplyChild,
		*CreateInvite, *RevokeInvite, *RevokeNode: // the command itself checks the scope
		return []string{AudienceAll}, nil // any node; the server decides what is scarce
	case *UpdateChild:
		ch, err := Get[Child](r, c.Child.ID)
		if err != nil {
			return nil, err
		}
		return append(mun(ch.Municipality), providerScopes(ch.Providers)...), nil
	case *SaveProgramme:
		return prov(c.Provider), nil
	case *SaveModule:
		p, err := Get[Programme](r, c.Programme)
		return prov(p.Provider), err
	case *SubmitProgramme:
		p, err := Get[Programme](r, c.Programme)
		return prov(p.Provider), err
	case *ArchiveProgramme:
		p, err := Get[Programme](r, c.Programme)
		return prov(p.Provider), err
	case *OpenGroup:
		m, err := Get[Module](r, c.Module)
		if err != nil {
			return nil, err
		}
		p, err := Get[Programme](r, m.Programme)
		return prov(p.Provider), err
	case *Enrol:
		g, err := Get[Group](r, c.Group)
		return prov(g.Provider), err
	case *Terminate:
		k, err := Get[Contract](r, c.Contract)
		return append(prov(k.Provider), mun(k.Municipality)...), err
	case *MarkAttendance:
		g, err := Get[Group](r, c.Group)
		return prov(g.Provider), err
	case *CancelLesson:
		g, err := Get[Group](r, c.Group)
		return prov(g.Provider), err
	case *SubmitInvoice:
		i, err := Get[Invoice](r, c.Invoice)
		return prov(i.Provider), err
	case *ApproveInvoice:
		i, err := Get[Invoice](r, c.Invoice)
		return mun(i.Municipality), err
	case *PayInvoice:
		i, err := Get[Invoice](r, c.Invoice)
		return mun(i.Municipality), err
	case *SetParams:
		return mun(c.Params.Municipality), nil
	case *ListProgramme:
		return mun(c.Municipality), nil
	case *UnlistProgramme:
		return mun(c.Municipality), nil
	case *RegisterProvider:
		return mun(c.Municipality), nil
	case *SetProviderStatus:
		p, err := Get[Provider](r, c.Provider)
		return mun(p.Municipality), err
	case *FreezeCertificate:
		k, err := Get[Certificate](r, c.Certificate)
		return mun(k.Municipality), err
	case *ReturnToAccounting:
		k, err := Get[Certificate](r, c.Certificate)
		return mun(k.Municipality), err
	}
	// Regional commands and the server's jobs.
	return []string{ScopeRegion}, nil
}
