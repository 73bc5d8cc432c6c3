package app

import (
	"bytes"
	"encoding/json"
	"slices"
)

// ScrubPersonal removes the personal data of any child from an op payload
// of type opType (one of PersonalOps), as ScrubPayload does for one child
// (RULES.md §10): a register_child or update_child keeps the child's id,
// municipality, consent date, registering node, providers and erasure date
// and loses everything else (names, birth date, guardian, phone, SNILS,
// consent-by, and any field added later); a set_guardian_phone keeps the
// child, not the phone; an issue_certificate keeps its ids, not the code
// hash. A payload of such a type that is not a JSON object cannot be judged
// and is dropped whole (nil). Any other type, or a payload with nothing
// personal left (scrubbed before, by this or by ScrubPayload), is returned
// as is with false. The scrubbed payload still decodes as its command.
func ScrubPersonal(opType string, payload []byte) ([]byte, bool) {
	var keep []string // the fields of the object that stay
	inChild := false  // the fields are those of the payload's Child
	switch opType {
	case "register_child", "update_child":
		keep, inChild = []string{"ID", "Municipality", "ConsentDate", "Registered", "Providers", "Erased"}, true
	case "set_guardian_phone":
		keep = []string{"Child"}
	case "issue_certificate":
		keep = []string{"ID", "Child"}
	default:
		return payload, false
	}
	if len(payload) == 0 {
		return payload, false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(payload, &top) != nil || top == nil {
		return nil, true
	}
	obj := top
	if inChild {
		obj = nil
		if json.Unmarshal(top["Child"], &obj) != nil {
			return nil, true
		}
		for k, v := range top {
			if k != "Child" && !emptyJSON(v) {
				return nil, true // a register_child is its Child only
			}
		}
	}
	changed := false
	for k, v := range obj {
		if !slices.Contains(keep, k) {
			if !emptyJSON(v) {
				changed = true
			}
			delete(obj, k)
		}
	}
	if !changed {
		return payload, false
	}
	var out any = obj
	if inChild {
		out = map[string]any{"Child": obj}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, true
	}
	return b, true
}

// emptyJSON reports whether v is a JSON value that holds nothing: null, "",
// 0, false, [] or {}.
func emptyJSON(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	switch string(v) {
	case "", "null", `""`, "0", "false", "[]", "{}":
		return true
	}
	return false
}
