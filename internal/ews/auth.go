package ews

import "encoding/base64"

// basic returns the Basic credentials token (RFC 7617).
func basic(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}
