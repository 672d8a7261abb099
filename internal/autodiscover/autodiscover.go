// Package autodiscover finds a mailbox's EWS URL from its email address with Exchange's POX
// (plain old XML) Autodiscover, trying the candidate URLs in the documented order:
// https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/autodiscover-for-exchange
// (POST to https://domain/autodiscover/autodiscover.xml, then https://autodiscover.domain/…, then an
// unauthenticated GET to http://autodiscover.domain/… that may redirect to an https URL, then the DNS
// SRV record _autodiscover._tcp.domain), with the request and response of
// https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/pox-autodiscover-request-for-exchange
// and the redirectAddr/redirectUrl actions of the response's Account element.
package autodiscover

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Errors of Find.
var (
	// ErrNotFound means no candidate answered with an EWS URL.
	ErrNotFound = errors.New("autodiscover: no EWS URL found")
	// ErrAuth means a candidate refused the credentials (HTTP 401).
	ErrAuth = errors.New("autodiscover: credentials refused")
	// ErrBadAddress means the email address has no domain.
	ErrBadAddress = errors.New("autodiscover: not an email address")
)

// maxHops bounds redirects between addresses and URLs.
const maxHops = 10

// maxResponse bounds an Autodiscover response body.
const maxResponse = 1 << 20

// Finder runs Autodiscover.
type Finder struct {
	// HTTP sends the requests; it must not follow redirects by itself to non-https URLs (Find sets
	// CheckRedirect on a copy).
	HTTP *http.Client
	// Check, if set, is asked before any URL is contacted (an SSRF guard); an error skips that URL.
	Check func(ctx context.Context, rawURL string) error
	// LookupSRV resolves the SRV record; nil uses net.DefaultResolver.
	LookupSRV func(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
}

// Find returns the EWS URL of email, authenticating as username (email when empty) with password.
func (f *Finder) Find(ctx context.Context, email, username, password string) (string, error) {
	if username == "" {
		username = email
	}
	var errs []error
	for hop := 0; hop < maxHops; hop++ {
		at := strings.LastIndexByte(email, '@')
		if at <= 0 || at == len(email)-1 {
			return "", ErrBadAddress
		}
		domain := strings.ToLower(email[at+1:])
		res, err := f.tryDomain(ctx, domain, email, username, password)
		if err != nil {
			errs = append(errs, err)
			if errors.Is(err, ErrAuth) {
				return "", ErrAuth
			}
			break
		}
		if res.redirectAddr != "" {
			email = res.redirectAddr
			continue
		}
		return res.ewsURL, nil
	}
	return "", errors.Join(append([]error{ErrNotFound}, errs...)...)
}

type result struct {
	ewsURL, redirectAddr string
}

// tryDomain tries the candidates of one domain in order; the first usable answer wins.
func (f *Finder) tryDomain(ctx context.Context, domain, email, username, password string) (*result, error) {
	candidates := []string{
		"https://" + domain + "/autodiscover/autodiscover.xml",
		"https://autodiscover." + domain + "/autodiscover/autodiscover.xml",
	}
	var errs []error
	authFailed := false
	try := func(u string) *result {
		res, err := f.post(ctx, u, email, username, password, 0)
		if err != nil {
			if errors.Is(err, ErrAuth) {
				authFailed = true
			}
			errs = append(errs, err)
			return nil
		}
		return res
	}
	for _, u := range candidates {
		if res := try(u); res != nil {
			return res, nil
		}
	}
	if u, err := f.httpRedirect(ctx, "http://autodiscover."+domain+"/autodiscover/autodiscover.xml"); err == nil {
		if res := try(u); res != nil {
			return res, nil
		}
	} else {
		errs = append(errs, err)
	}
	lookup := f.LookupSRV
	if lookup == nil {
		lookup = net.DefaultResolver.LookupSRV
	}
	if _, srvs, err := lookup(ctx, "autodiscover", "tcp", domain); err == nil {
		for _, s := range srvs {
			host := strings.TrimSuffix(s.Target, ".")
			if s.Port != 443 {
				host = net.JoinHostPort(host, fmt.Sprint(s.Port))
			}
			if res := try("https://" + host + "/autodiscover/autodiscover.xml"); res != nil {
				return res, nil
			}
		}
	}
	if authFailed {
		return nil, ErrAuth
	}
	return nil, errors.Join(errs...)
}

// httpRedirect sends the unauthenticated GET of the third step and returns the https URL it
// redirects to (302 with Location).
func (f *Finder) httpRedirect(ctx context.Context, u string) (string, error) {
	if err := f.check(ctx, u); err != nil {
		return "", err
	}
	hc := *f.client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("autodiscover: %s: %w", u, err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusMovedPermanently || err != nil || loc.Scheme != "https" {
		return "", fmt.Errorf("autodiscover: %s: no https redirect (HTTP %d)", u, resp.StatusCode)
	}
	return loc.String(), nil
}

func (f *Finder) client() *http.Client {
	if f.HTTP != nil {
		return f.HTTP
	}
	return http.DefaultClient
}

func (f *Finder) check(ctx context.Context, u string) error {
	if f.Check == nil {
		return nil
	}
	return f.Check(ctx, u)
}

// post sends the POX request to u with Basic credentials (only ever over https).
func (f *Finder) post(ctx context.Context, u, email, username, password string, depth int) (*result, error) {
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme != "https" {
		return nil, fmt.Errorf("autodiscover: %s: only https is used with credentials", u)
	}
	if err := f.check(ctx, u); err != nil {
		return nil, err
	}
	var body bytes.Buffer
	body.WriteString(`<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>`)
	_ = xml.EscapeText(&body, []byte(email))
	body.WriteString(`</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.SetBasicAuth(username, password)
	hc := *f.client()
	hc.CheckRedirect = func(r *http.Request, _ []*http.Request) error {
		if r.URL.Scheme != "https" {
			return errors.New("autodiscover: redirect to a non-https URL refused")
		}
		return f.check(r.Context(), r.URL.String())
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("autodiscover: %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		return nil, ErrAuth
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("autodiscover: %s: HTTP %d", u, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("autodiscover: %s: %w", u, err)
	}
	r, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("autodiscover: %s: %w", u, err)
	}
	switch {
	case r.RedirectURL != "":
		if depth >= maxHops {
			return nil, fmt.Errorf("autodiscover: %s: too many redirects", u)
		}
		return f.post(ctx, r.RedirectURL, email, username, password, depth+1)
	case r.RedirectAddr != "":
		return &result{redirectAddr: r.RedirectAddr}, nil
	case r.EwsURL != "":
		return &result{ewsURL: r.EwsURL}, nil
	}
	return nil, fmt.Errorf("autodiscover: %s: the answer holds no EWS URL", u)
}

// response is the part of the POX response (responseschema/2006a) Find reads.
type response struct {
	Error *struct {
		ErrorCode string `xml:"ErrorCode"`
		Message   string `xml:"Message"`
	} `xml:"Response>Error"`
	Account struct {
		Action       string `xml:"Action"`
		RedirectAddr string `xml:"RedirectAddr"`
		RedirectURL  string `xml:"RedirectUrl"`
		Protocols    []struct {
			Type   string `xml:"Type"`
			EwsURL string `xml:"EwsUrl"`
		} `xml:"Protocol"`
	} `xml:"Response>Account"`
}

type parsed struct {
	EwsURL, RedirectAddr, RedirectURL string
}

// parse reads a response: the EwsUrl of the EXCH protocol (internal), else EXPR (external), else
// any; or the redirect of Action redirectAddr or redirectUrl.
func parse(data []byte) (parsed, error) {
	var r response
	if err := xml.Unmarshal(data, &r); err != nil {
		return parsed{}, fmt.Errorf("not an Autodiscover response: %w", err)
	}
	if r.Error != nil {
		return parsed{}, fmt.Errorf("error %s: %s", r.Error.ErrorCode, r.Error.Message)
	}
	switch strings.ToLower(r.Account.Action) {
	case "redirectaddr":
		return parsed{RedirectAddr: strings.TrimSpace(r.Account.RedirectAddr)}, nil
	case "redirecturl":
		return parsed{RedirectURL: strings.TrimSpace(r.Account.RedirectURL)}, nil
	}
	best := ""
	for _, want := range []string{"EXCH", "EXPR", ""} {
		for _, p := range r.Account.Protocols {
			if (want == "" || p.Type == want) && strings.TrimSpace(p.EwsURL) != "" && best == "" {
				best = strings.TrimSpace(p.EwsURL)
			}
		}
	}
	return parsed{EwsURL: best}, nil
}
