package ewssim

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// ErrUnknownMailbox is returned for a user without a mailbox.
var ErrUnknownMailbox = errors.New("ewssim: unknown mailbox")

// exec runs one operation (a body element in t:/m: prefixes) against a mailbox, through
// the same schema validation as HTTP requests; seeding uses it so demo data is valid EWS.
func (s *Server) exec(user, body string) (*node, error) {
	s.mu.Lock()
	u := s.users[strings.ToLower(user)]
	s.mu.Unlock()
	if u == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnknownMailbox, user)
	}
	env, fault := parseEnvelope([]byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="` + nsTypes + `" xmlns:m="` + nsMessages + `"><soap:Body>` + body + `</soap:Body></soap:Envelope>`))
	if fault != nil {
		return nil, fmt.Errorf("ewssim: exec: %s: %s", fault.Code, fault.Message)
	}
	resp, fault := s.dispatchLocked(&opCtx{s: s, env: env, user: u})
	if fault != nil {
		return nil, fmt.Errorf("ewssim: exec: %s: %s", fault.Code, fault.Message)
	}
	for _, m := range resp.Kids[0].Kids {
		if code := m.childText("ResponseCode"); code != "NoError" {
			var b bytes.Buffer
			m.write(&b)
			return resp, fmt.Errorf("ewssim: exec: %s: %s", code, b.String())
		}
	}
	return resp, nil
}

// Do runs one EWS operation as user, out of band, e.g. to simulate another client
// changing the mailbox during a test. body is the operation element written with the
// prefixes t: (types) and m: (messages), which Do declares, for example
// `<m:DeleteItem DeleteType="HardDelete" SendMeetingCancellations="SendToNone"><m:ItemIds><t:ItemId Id="..."/></m:ItemIds></m:DeleteItem>`.
// It returns the response envelope; the error is non-nil for a fault or when a response
// message is not NoError (the envelope is still returned then).
func (s *Server) Do(user, body string) ([]byte, error) {
	resp, err := s.exec(user, body)
	if resp == nil {
		return nil, err
	}
	return s.writeResponse(resp), err
}
