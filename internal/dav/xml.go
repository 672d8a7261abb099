package dav

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// limitReader reads at most n bytes from r and fails with ErrResponseTooLarge beyond that, so a
// truncated body is never mistaken for a complete one.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// One probe byte tells a body of exactly n bytes from a longer one.
		var one [1]byte
		k, err := l.r.Read(one[:])
		if k > 0 {
			return 0, ErrResponseTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}

// readAll reads a whole body within the limit.
func readAll(r io.Reader, limit int64) ([]byte, error) {
	return io.ReadAll(&limitReader{r: r, n: limit})
}

// decodeXML decodes one XML document from r into v. It refuses a document type declaration
// (ErrDTD) and any encoding other than UTF-8 (encoding/xml's default), and reads at most limit bytes.
func decodeXML(r io.Reader, limit int64, v any) error {
	d := xml.NewDecoder(&limitReader{r: r, n: limit})
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, ErrResponseTooLarge) {
				return ErrResponseTooLarge
			}
			if err == io.EOF {
				return fmt.Errorf("dav: xml: no root element")
			}
			return fmt.Errorf("dav: xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.ToUpper(bytes.TrimSpace(t)), []byte("DOCTYPE")) {
				return ErrDTD
			}
		case xml.StartElement:
			if err := d.DecodeElement(v, &t); err != nil {
				if errors.Is(err, ErrResponseTooLarge) {
					return ErrResponseTooLarge
				}
				return fmt.Errorf("dav: xml: %w", err)
			}
			return nil
		}
	}
}

// errorDetail turns a failed response's body into an error detail: a *Condition for a DAV:error
// XML body, a short single-line excerpt for text, nil otherwise.
func errorDetail(contentType string, body []byte) error {
	ct := strings.ToLower(contentType)
	if strings.Contains(ct, "xml") || bytes.HasPrefix(bytes.TrimSpace(body), []byte("<?xml")) {
		var eb errorBody
		if err := decodeXML(bytes.NewReader(body), int64(len(body))+1, &eb); err == nil {
			return eb.condition()
		}
		return nil
	}
	if !strings.HasPrefix(ct, "text/") && ct != "" {
		return nil
	}
	s := strings.Join(strings.Fields(string(body)), " ")
	if s == "" {
		return nil
	}
	const max = 200
	if len(s) > max {
		s = s[:max] + " […]"
	}
	return errors.New(s)
}
