package wire

// entryKeys returns the Key of each entry, in document order.
func entryKeys[E any](entries []E, key func(*E) string) []string {
	if len(entries) == 0 {
		return nil
	}
	out := make([]string, len(entries))
	for i := range entries {
		out[i] = key(&entries[i])
	}
	return out
}

// Keys returns the dictionary's keys in document order; nil for a nil or
// empty dictionary.
func (d *EmailAddresses) Keys() []string {
	if d == nil {
		return nil
	}
	return entryKeys(d.Entry, func(e *EmailAddressEntry) string { return e.Key })
}

// Keys returns the dictionary's keys in document order; nil for a nil or
// empty dictionary.
func (d *PhysicalAddresses) Keys() []string {
	if d == nil {
		return nil
	}
	return entryKeys(d.Entry, func(e *PhysicalAddressEntry) string { return e.Key })
}

// Keys returns the dictionary's keys in document order; nil for a nil or
// empty dictionary.
func (d *PhoneNumbers) Keys() []string {
	if d == nil {
		return nil
	}
	return entryKeys(d.Entry, func(e *PhoneNumberEntry) string { return e.Key })
}

// Keys returns the dictionary's keys in document order; nil for a nil or
// empty dictionary.
func (d *ImAddresses) Keys() []string {
	if d == nil {
		return nil
	}
	return entryKeys(d.Entry, func(e *ImAddressEntry) string { return e.Key })
}
