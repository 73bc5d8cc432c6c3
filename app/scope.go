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
	case CertCode:
		// The hash of a certificate code stays with the municipality and the
		// server (RULES.md §3): a provider node never holds it.
		return []string{MunicipalityScope(v.Municipality)}
	case Alert, Guard:
		return nil // the region's only
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

// ForScope is rec as a node of scope may hold it (RULES.md §10): a
// provider's node never receives a child's SNILS. It reports whether it
// changed anything; a record the scope does not see is not its concern.
func ForScope(rec Record, scope string) (Record, bool) {
	if ch, ok := rec.(Child); ok && ch.SNILS != "" && strings.HasPrefix(scope, scopeProvider) {
		ch.SNILS = ""
		return ch, true
	}
	return rec, false
}

// Visible reports whether a node of scope receives rec.
func Visible(rec Record, scope string) bool {
	if scope == ScopeRegion {
		return true
	}
	a := Audience(rec)
	return slices.Contains(a, AudienceAll) || slices.Contains(a, scope)
}
