package ews

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// redactedHeaders are never written to the trace.
var redactedHeaders = map[string]bool{"Authorization": true, "Cookie": true, "Set-Cookie": true, "Www-Authenticate": false, "Proxy-Authorization": true}

// traceRequest writes the request line, headers (credentials and cookies
// redacted) and body to Options.Trace.
func (c *Client) traceRequest(r *http.Request, body []byte) {
	if c.opts.Trace == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", r.Method, r.URL.Redacted())
	writeHeaders(&b, "> ", r.Header)
	b.WriteString(">\n")
	b.Write(body)
	b.WriteString("\n")
	c.writeTrace(b.String())
}

// traceResponse writes the status, headers and body of a response.
func (c *Client) traceResponse(r *http.Response, body []byte) {
	if c.opts.Trace == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "< %s\n", r.Status)
	writeHeaders(&b, "< ", r.Header)
	b.WriteString("<\n")
	b.Write(body)
	b.WriteString("\n")
	c.writeTrace(b.String())
}

func (c *Client) writeTrace(s string) {
	c.traceMu.Lock()
	defer c.traceMu.Unlock()
	_, _ = c.opts.Trace.Write([]byte(s))
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			if redactedHeaders[http.CanonicalHeaderKey(k)] {
				scheme, _, _ := strings.Cut(v, " ")
				if strings.EqualFold(k, "Cookie") || strings.EqualFold(k, "Set-Cookie") {
					scheme = ""
				}
				v = strings.TrimSpace(scheme + " [redacted]")
			}
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}
