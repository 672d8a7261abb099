package netguard

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// maxRedirects bounds the redirects followed by HTTPClient.
const maxRedirects = 5

// TransportOptions configure Transport.
type TransportOptions struct {
	// InsecureSkipVerify turns TLS certificate verification off (the admin
	// setting "TLS verification"; on by default).
	InsecureSkipVerify bool
	// RootCAs replaces the system roots, if set.
	RootCAs *x509.CertPool
}

// Transport returns an HTTP/1.1 transport (NTLM needs kept-alive HTTP/1.1
// connections) that dials through the guard and uses no proxy.
func (g *Guard) Transport(o TransportOptions) *http.Transport {
	return &http.Transport{
		DialContext:           g.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs, InsecureSkipVerify: o.InsecureSkipVerify}, //nolint:gosec // admin setting, on by default
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second, // a client lives for one run; do not keep its connections long
		ForceAttemptHTTP2:     false,
	}
}

// HTTPClient returns a client over Transport(o) whose redirects are checked
// too: at most 5, never from https to http, each target host checked before
// it is requested (and its connection dialed through the guard).
func (g *Guard) HTTPClient(o TransportOptions) *http.Client {
	return &http.Client{Transport: g.Transport(o), CheckRedirect: g.CheckRedirect}
}

// CheckRedirect is an http.Client CheckRedirect that applies the guard.
func (g *Guard) CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("netguard: stopped after %d redirects", maxRedirects)
	}
	if len(via) > 0 && via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return &BlockedError{Host: req.URL.Host, Reason: "redirect from https to " + req.URL.Scheme}
	}
	_, err := g.Resolve(req.Context(), req.URL.Hostname())
	return err
}

// CheckURL checks an endpoint URL before it is saved: http or https, a
// host, and an allowed address (with the policy at the time of the call).
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("netguard: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return &BlockedError{Host: u.Host, Reason: "scheme " + u.Scheme}
	}
	if u.User != nil {
		return errors.New("netguard: credentials in the URL are not allowed")
	}
	_, err = g.Resolve(ctx, u.Hostname())
	return err
}
