package ews

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //lint:ignore SA1019 NTLM's NT hash is MD4 by definition (MS-NLMP 3.3.1)
)

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

// ntlmServer is an EWS endpoint that authenticates connections with NTLMv2
// (MS-NLMP): it sends a CHALLENGE, checks the AUTHENTICATE message's
// NTProofStr against the password, and then trusts that connection only.
type ntlmServer struct {
	user, domain, password string
	challenge              [8]byte

	mu         sync.Mutex
	challenged map[string]bool // remote addr -> sent a challenge
	authed     map[string]bool // remote addr -> authenticated
	handshakes int
}

func (s *ntlmServer) challengeMessage() []byte {
	var info []byte
	dom := utf16le(s.domain)
	info = binary.LittleEndian.AppendUint16(info, 2) // MsvAvNbDomainName
	info = binary.LittleEndian.AppendUint16(info, uint16(len(dom)))
	info = append(info, dom...)
	info = append(info, 0, 0, 0, 0) // MsvAvEOL
	b := []byte("NTLMSSP\x00")
	b = binary.LittleEndian.AppendUint32(b, 2)
	b = append(b, 0, 0, 0, 0, 48, 0, 0, 0)                      // TargetName: empty
	b = binary.LittleEndian.AppendUint32(b, 0x1|0x200|0x800000) // UNICODE | NTLM | TARGET_INFO
	b = append(b, s.challenge[:]...)
	b = append(b, make([]byte, 8)...)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(info)))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(info)))
	b = binary.LittleEndian.AppendUint32(b, 48)
	return append(b, info...)
}

// verify checks an AUTHENTICATE message.
func (s *ntlmServer) verify(m []byte) bool {
	if len(m) < 64 || !bytes.HasPrefix(m, []byte("NTLMSSP\x00")) || binary.LittleEndian.Uint32(m[8:]) != 3 {
		return false
	}
	field := func(off int) []byte {
		l := int(binary.LittleEndian.Uint16(m[off:]))
		o := int(binary.LittleEndian.Uint32(m[off+4:]))
		if o+l > len(m) {
			return nil
		}
		return m[o : o+l]
	}
	nt, domain, user := field(20), field(28), field(36)
	if len(nt) < 24 || !bytes.Equal(user, utf16le(s.user)) || !bytes.Equal(domain, utf16le(s.domain)) {
		return false
	}
	h := md4.New()
	h.Write(utf16le(s.password))
	ntowf := hmacMD5(h.Sum(nil), utf16le(strings.ToUpper(s.user)+s.domain))
	proof := hmacMD5(ntowf, s.challenge[:], nt[16:])
	return hmac.Equal(proof, nt[:16])
}

func (s *ntlmServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	conn := r.RemoteAddr
	if s.authed[conn] {
		b := readAll(r)
		genericEWS(w, opOf(b), b)
		return
	}
	auth := r.Header.Get("Authorization")
	token, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "NTLM "))
	switch {
	case strings.HasPrefix(auth, "NTLM ") && len(token) > 12 && binary.LittleEndian.Uint32(token[8:]) == 1:
		s.challenged[conn] = true
		w.Header().Set("WWW-Authenticate", "NTLM "+base64.StdEncoding.EncodeToString(s.challengeMessage()))
	case strings.HasPrefix(auth, "NTLM ") && s.challenged[conn] && s.verify(token):
		s.authed[conn] = true
		s.handshakes++
		b := readAll(r)
		genericEWS(w, opOf(b), b)
		return
	default:
		w.Header().Set("WWW-Authenticate", "NTLM")
	}
	w.WriteHeader(http.StatusUnauthorized)
}

func readAll(r *http.Request) string {
	var b bytes.Buffer
	_, _ = b.ReadFrom(r.Body)
	return b.String()
}

// TestNTLMHandshake authenticates with NTLMv2 over one keep-alive
// connection; later requests reuse the authenticated connection, and a
// wrong password fails with IsAuth.
func TestNTLMHandshake(t *testing.T) {
	s := &ntlmServer{user: "ada", domain: "CORP", password: "s3cret", challenge: [8]byte{1, 2, 3, 4, 5, 6, 7, 8}, challenged: map[string]bool{}, authed: map[string]bool{}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	for _, mode := range []string{AuthNTLM, AuthAuto} {
		t.Run(mode, func(t *testing.T) {
			s.mu.Lock()
			before := s.handshakes
			s.mu.Unlock()
			c, err := NewClient(srv.URL, &Options{Auth: mode, Username: `CORP\ada`, Password: "s3cret", Concurrency: 1})
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if _, err := c.GetFolder(context.Background(), Distinguished("calendar")); err != nil {
					t.Fatalf("GetFolder() over NTLM error = %v", err)
				}
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if got := s.handshakes - before; got != 1 {
				t.Errorf("NTLM handshakes = %d, want 1 (the connection stays authenticated)", got)
			}
		})
	}
	bad, _ := NewClient(srv.URL, &Options{Auth: AuthNTLM, Username: `CORP\ada`, Password: "wrong"})
	if _, err := bad.GetFolder(context.Background(), Distinguished("calendar")); !IsAuth(err) {
		t.Errorf("GetFolder() with a wrong password = %v, want an auth error", err)
	}
}

// TestBearerAndTLS checks the bearer-token hook and TLS verification with a
// custom CA: the server's certificate is refused without its CA and
// accepted with it.
func TestBearerAndTLS(t *testing.T) {
	var gotAuth string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		b := readAll(r)
		genericEWS(w, opOf(b), b)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	token := func(context.Context) (string, error) { return "tok123", nil }
	c, err := NewClient(srv.URL, &Options{Auth: AuthBearer, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetFolder(context.Background(), Distinguished("calendar")); err == nil || !strings.Contains(err.Error(), "TLS verification failed") {
		t.Errorf("GetFolder() without the CA = %v, want a certificate error", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	var trace bytes.Buffer
	c, err = NewClient(srv.URL, &Options{Auth: AuthBearer, Token: token, RootCAs: pool, Trace: &trace})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetFolder(context.Background(), Distinguished("calendar")); err != nil {
		t.Fatalf("GetFolder() with the CA = %v", err)
	}
	if gotAuth != "Bearer tok123" {
		t.Errorf("Authorization = %q, want Bearer tok123", gotAuth)
	}
	if strings.Contains(trace.String(), "tok123") || !strings.Contains(trace.String(), "Authorization: Bearer [redacted]") {
		t.Errorf("trace does not redact the bearer token:\n%s", trace.String())
	}
	if _, err := NewClient(srv.URL, &Options{Auth: AuthBearer}); !errors.Is(err, ErrBadOptions) {
		t.Errorf("NewClient(bearer without Token) = %v, want ErrBadOptions", err)
	}
}
