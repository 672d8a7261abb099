package contact

// Issue is a per-item finding that did not stop the conversion: a value that
// cannot be carried to the other side (and is kept where it is), or a repair
// of malformed input. Property names the vCard property (RFC 6350 section 6)
// or the EWS field.
type Issue struct {
	Property string
	Message  string
}

// String renders the issue for logs ("PHOTO: ...").
func (i Issue) String() string {
	if i.Property == "" {
		return i.Message
	}
	return i.Property + ": " + i.Message
}

// issues collects findings; a nil *issues discards them.
type issues []Issue

func (is *issues) add(prop, msg string) {
	if is == nil {
		return
	}
	*is = append(*is, Issue{Property: prop, Message: msg})
}
