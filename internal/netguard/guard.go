// Package netguard keeps the app's outgoing connections to user-supplied
// servers (EWS endpoints) away from internal networks: server-side request
// forgery (SSRF, https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html).
// A Guard resolves the host name itself, checks every address, and dials
// exactly the address it checked (no second DNS lookup, so no DNS
// rebinding); a net.Dialer Control hook checks the connected address again,
// and redirects are checked like the first request because every connection
// goes through the same dialer. Refused by default: loopback, link-local
// (and so the cloud metadata address 169.254.169.254), private (RFC 1918),
// unique-local (RFC 4193), shared/CGNAT (RFC 6598), multicast, unspecified,
// broadcast and other special-purpose addresses (RFC 6890). An admin
// allow-list (host names, *.domains, IPs, CIDRs) admits listed hosts, even
// internal ones, and when non-empty admits nothing else; the deny-list
// refuses listed hosts always.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// ErrBlocked is matched (errors.Is) by every refusal of the guard.
var ErrBlocked = errors.New("netguard: address not allowed")

// BlockedError is a refused host or address.
type BlockedError struct {
	Host   string // the host name asked for
	Addr   string // the refused IP address, if resolved
	Reason string // e.g. "loopback", "deny-listed", "not allow-listed"
}

// Error returns "netguard: <host> (<addr>): <reason>".
func (e *BlockedError) Error() string {
	if e.Addr != "" && e.Addr != e.Host {
		return fmt.Sprintf("netguard: %s (%s): %s", e.Host, e.Addr, e.Reason)
	}
	return fmt.Sprintf("netguard: %s: %s", e.Host, e.Reason)
}

// Is makes errors.Is(err, ErrBlocked) true.
func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }

// IsBlocked reports whether err is a refusal of the guard.
func IsBlocked(err error) bool { return errors.Is(err, ErrBlocked) }

// Policy is the admin's host policy. Entries are host names
// ("mail.example.com"), domain wildcards ("*.example.com" or
// ".example.com"), IP addresses or CIDR prefixes ("10.1.0.0/16").
type Policy struct {
	// Allow admits the listed hosts even on internal addresses; when it is
	// non-empty, hosts not on it are refused.
	Allow []string
	// Deny refuses the listed hosts always (it wins over Allow).
	Deny []string
	// Trusted admits the listed hosts even on internal addresses without
	// restricting anything else (operator configuration, e.g. the simulated
	// Exchange of the development setup); Deny still wins.
	Trusted []string
}

// Resolver looks host names up (*net.Resolver satisfies it; tests inject a
// fake, since there is no DNS in the test environment).
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard checks and dials. Its policy can be replaced at any time
// (SetPolicy); it is safe for concurrent use.
type Guard struct {
	policy   atomic.Pointer[compiled]
	resolver Resolver
	dialer   *net.Dialer
}

type compiled struct {
	allowHosts, denyHosts     []string // lower case; "*.x" / ".x" stored as ".x"
	allowPrefix, denyPrefixes []netip.Prefix
	trustHosts                []string
	trustPrefixes             []netip.Prefix
	allowAny                  bool // allow list empty
}

// Options configure a Guard.
type Options struct {
	// Resolver resolves host names; nil uses net.DefaultResolver.
	Resolver Resolver
	// Timeout bounds one connection attempt; default 30 s.
	Timeout time.Duration
}

// New returns a Guard with policy p.
func New(p Policy, opts *Options) *Guard {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	g := &Guard{resolver: o.Resolver}
	g.dialer = &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second, ControlContext: g.control}
	g.SetPolicy(p)
	return g
}

// SetPolicy replaces the policy; connections made afterwards use it.
func (g *Guard) SetPolicy(p Policy) {
	c := &compiled{allowAny: len(p.Allow) == 0}
	add := func(list []string, hosts *[]string, prefixes *[]netip.Prefix) {
		for _, e := range list {
			e = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(e), "."))
			e = strings.TrimPrefix(strings.TrimSuffix(e, "]"), "[")
			if e == "" {
				continue
			}
			if pfx, err := netip.ParsePrefix(e); err == nil {
				*prefixes = append(*prefixes, pfx.Masked())
				continue
			}
			if a, err := netip.ParseAddr(e); err == nil {
				a = a.Unmap()
				*prefixes = append(*prefixes, netip.PrefixFrom(a, a.BitLen()))
				continue
			}
			*hosts = append(*hosts, strings.TrimPrefix(e, "*"))
		}
	}
	add(p.Allow, &c.allowHosts, &c.allowPrefix)
	add(p.Deny, &c.denyHosts, &c.denyPrefixes)
	add(p.Trusted, &c.trustHosts, &c.trustPrefixes)
	g.policy.Store(c)
}

func hostMatch(list []string, host string) bool {
	for _, e := range list {
		if strings.HasPrefix(e, ".") {
			if strings.HasSuffix(host, e) || host == e[1:] {
				return true
			}
		} else if host == e {
			return true
		}
	}
	return false
}

func prefixMatch(list []netip.Prefix, a netip.Addr) bool {
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// special lists the special-purpose ranges refused unless allow-listed
// (RFC 6890 and the IANA special-purpose registries).
var special = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (CGNAT)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "special-purpose"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local NAT64"},
	{netip.MustParsePrefix("100::/64"), "discard"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("fc00::/7"), "unique-local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// metadata names cloud metadata services reached by name.
var metadataHosts = []string{"metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"}

// classify returns why a is internal, or "".
func classify(a netip.Addr) string {
	a = a.Unmap()
	if a == netip.MustParseAddr("169.254.169.254") || a == netip.MustParseAddr("fd00:ec2::254") {
		return "cloud metadata"
	}
	// NAT64 (RFC 6052) and 6to4 (RFC 3056) embed an IPv4 address.
	if a.Is6() {
		b := a.As16()
		if netip.MustParsePrefix("64:ff9b::/96").Contains(a) {
			if r := classify(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})); r != "" {
				return r + " (NAT64)"
			}
		}
		if netip.MustParsePrefix("2002::/16").Contains(a) {
			if r := classify(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})); r != "" {
				return r + " (6to4)"
			}
		}
	}
	if a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return "broadcast"
	}
	for _, s := range special {
		if s.prefix.Contains(a) {
			return s.reason
		}
	}
	return ""
}

// checkAddr decides on one address a of host.
func (c *compiled) checkAddr(host string, a netip.Addr) error {
	a = a.Unmap()
	if hostMatch(c.denyHosts, host) || prefixMatch(c.denyPrefixes, a) {
		return &BlockedError{Host: host, Addr: a.String(), Reason: "deny-listed"}
	}
	if hostMatch(c.trustHosts, host) || prefixMatch(c.trustPrefixes, a) {
		return nil
	}
	allowed := hostMatch(c.allowHosts, host) || prefixMatch(c.allowPrefix, a)
	if !c.allowAny && !allowed {
		return &BlockedError{Host: host, Addr: a.String(), Reason: "not allow-listed"}
	}
	if allowed {
		return nil
	}
	if hostMatch(metadataHosts, host) {
		return &BlockedError{Host: host, Addr: a.String(), Reason: "cloud metadata"}
	}
	if r := classify(a); r != "" {
		return &BlockedError{Host: host, Addr: a.String(), Reason: r + " address"}
	}
	return nil
}

// normHost lower-cases host and strips brackets, a trailing dot and a zone.
func normHost(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return strings.TrimPrefix(strings.TrimSuffix(host, "]"), "[")
}

// Resolve looks host up and returns its addresses if every one of them is
// allowed; one refused address refuses the host (a name must not mix public
// and internal addresses).
func (g *Guard) Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	host = normHost(host)
	c := g.policy.Load()
	if host == "" {
		return nil, &BlockedError{Host: host, Reason: "empty host"}
	}
	if hostMatch(c.denyHosts, host) {
		return nil, &BlockedError{Host: host, Reason: "deny-listed"}
	}
	if hostMatch(metadataHosts, host) && !hostMatch(c.allowHosts, host) && !hostMatch(c.trustHosts, host) {
		return nil, &BlockedError{Host: host, Reason: "cloud metadata"}
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		addrs, err = g.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("netguard: resolve %s: %w", host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("netguard: resolve %s: no addresses", host)
		}
	}
	for _, a := range addrs {
		if err := c.checkAddr(host, a); err != nil {
			return nil, err
		}
	}
	return addrs, nil
}

// DialContext resolves, checks and dials addr ("host:port"), trying the
// checked addresses in turn. Use it as http.Transport.DialContext.
func (g *Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("netguard: dial %s: %w", addr, err)
	}
	addrs, err := g.Resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		c, err := g.dialer.DialContext(withHost(ctx, normHost(host)), network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if IsBlocked(err) || ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

type hostKey struct{}

func withHost(ctx context.Context, host string) context.Context {
	return context.WithValue(ctx, hostKey{}, host)
}

// control checks the address actually connected to (net.Dialer
// ControlContext) against the full policy, with the host name DialContext
// put into ctx: defence in depth should an address ever change between
// the check and the connection.
func (g *Guard) control(ctx context.Context, network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &BlockedError{Host: address, Reason: "unparsable address"}
	}
	host, _ := ctx.Value(hostKey{}).(string)
	if host == "" {
		host = ap.Addr().Unmap().String()
	}
	return g.policy.Load().checkAddr(host, ap.Addr())
}
