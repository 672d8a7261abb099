package ewssim

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //lint:ignore SA1019 NTLM's NT hash is MD4 by definition (MS-NLMP 3.3.1)
)

// ntlmConn is the NTLM state of one TCP connection; NTLM authenticates the
// connection, not the request ([MS-NLMP] https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/).
type ntlmConn struct {
	challenge [8]byte
	pending   bool
	user      *User
}

// authenticate returns the logged-in user, or writes a 401 and returns nil.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) *User {
	h := r.Header.Get("Authorization")
	key := r.RemoteAddr
	scheme, token, _ := strings.Cut(h, " ")
	switch {
	case h == "":
		s.ntlmMu.Lock()
		st := s.ntlm[key]
		s.ntlmMu.Unlock()
		if st != nil && st.user != nil {
			return st.user
		}
	case strings.EqualFold(scheme, "Basic") && !s.opts.DisableBasic:
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
		if err == nil {
			name, pass, ok := strings.Cut(string(raw), ":")
			if u := s.lookupUser(name, ""); ok && u != nil && subtle.ConstantTimeCompare([]byte(u.Password), []byte(pass)) == 1 {
				return u
			}
		}
		s.count("AuthFailed")
	case (strings.EqualFold(scheme, "NTLM") || strings.EqualFold(scheme, "Negotiate")) && !s.opts.DisableNTLM:
		msg, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
		if err != nil || len(msg) < 12 || string(msg[:8]) != "NTLMSSP\x00" {
			s.count("AuthFailed")
			break
		}
		switch binary.LittleEndian.Uint32(msg[8:12]) {
		case 1:
			st := &ntlmConn{pending: true}
			rand.Read(st.challenge[:])
			s.ntlmMu.Lock()
			s.ntlm[key] = st
			s.ntlmMu.Unlock()
			w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(s.challengeMessage(st.challenge)))
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusUnauthorized)
			return nil
		case 3:
			s.ntlmMu.Lock()
			st := s.ntlm[key]
			s.ntlmMu.Unlock()
			if st != nil && st.pending {
				if u := s.verifyAuthenticate(msg, st.challenge); u != nil {
					s.ntlmMu.Lock()
					st.pending, st.user = false, u
					s.ntlmMu.Unlock()
					return u
				}
			}
			s.count("AuthFailed")
		}
	}
	w.Header().Del("WWW-Authenticate")
	if !s.opts.DisableNTLM {
		w.Header().Add("WWW-Authenticate", "Negotiate")
		w.Header().Add("WWW-Authenticate", "NTLM")
	}
	if !s.opts.DisableBasic {
		w.Header().Add("WWW-Authenticate", `Basic realm="ews-sim"`)
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusUnauthorized)
	return nil
}

// lookupUser finds a user by logon name, DOMAIN\name or SMTP address.
func (s *Server) lookupUser(name, domain string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	cands := []string{name}
	if domain != "" {
		cands = append([]string{domain + `\` + name}, cands...)
	}
	if i := strings.LastIndexByte(name, '\\'); i >= 0 {
		cands = append(cands, name[i+1:])
	}
	if i := strings.IndexByte(name, '@'); i >= 0 {
		cands = append(cands, name[:i])
	}
	for _, c := range cands {
		if u := s.users[strings.ToLower(c)]; u != nil {
			return u
		}
	}
	return nil
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func fromUTF16le(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// NTLM negotiate flags used in the CHALLENGE message ([MS-NLMP] 2.2.2.5).
const (
	ntlmUnicode       = 0x00000001
	ntlmRequestTarget = 0x00000004
	ntlmNTLM          = 0x00000200
	ntlmAlwaysSign    = 0x00008000
	ntlmTargetDomain  = 0x00010000
	ntlmExtendedSess  = 0x00080000
	ntlmTargetInfo    = 0x00800000
	ntlm128           = 0x20000000
	ntlm56            = 0x80000000
)

func (s *Server) challengeMessage(ch [8]byte) []byte {
	target := utf16le("EWSSIM")
	var info bytes.Buffer
	av := func(id uint16, v []byte) {
		binary.Write(&info, binary.LittleEndian, id)
		binary.Write(&info, binary.LittleEndian, uint16(len(v)))
		info.Write(v)
	}
	av(2, utf16le("EWSSIM"))
	av(1, utf16le("EXSIM01"))
	av(4, utf16le("ewssim.local"))
	av(3, utf16le("exsim01.ewssim.local"))
	ts := make([]byte, 8)
	binary.LittleEndian.PutUint64(ts, uint64(s.now().UnixNano()/100)+116444736000000000)
	av(7, ts)
	av(0, nil)
	const hdr = 48
	var b bytes.Buffer
	b.WriteString("NTLMSSP\x00")
	binary.Write(&b, binary.LittleEndian, uint32(2))
	binary.Write(&b, binary.LittleEndian, uint16(len(target)))
	binary.Write(&b, binary.LittleEndian, uint16(len(target)))
	binary.Write(&b, binary.LittleEndian, uint32(hdr))
	binary.Write(&b, binary.LittleEndian, uint32(ntlmUnicode|ntlmRequestTarget|ntlmNTLM|ntlmAlwaysSign|ntlmTargetDomain|ntlmExtendedSess|ntlmTargetInfo|ntlm128|ntlm56))
	b.Write(ch[:])
	b.Write(make([]byte, 8))
	binary.Write(&b, binary.LittleEndian, uint16(info.Len()))
	binary.Write(&b, binary.LittleEndian, uint16(info.Len()))
	binary.Write(&b, binary.LittleEndian, uint32(hdr+len(target)))
	b.Write(target)
	b.Write(info.Bytes())
	return b.Bytes()
}

func varField(msg []byte, off int) ([]byte, bool) {
	if len(msg) < off+8 {
		return nil, false
	}
	l := int(binary.LittleEndian.Uint16(msg[off:]))
	p := int(binary.LittleEndian.Uint32(msg[off+4:]))
	if p < 0 || l < 0 || p+l > len(msg) {
		return nil, false
	}
	return msg[p : p+l], true
}

// verifyAuthenticate checks an NTLMv2 AUTHENTICATE message: NTProofStr must equal
// HMAC-MD5(NTOWFv2(password, user, domain), serverChallenge || blob) ([MS-NLMP] 3.3.2).
func (s *Server) verifyAuthenticate(msg []byte, ch [8]byte) *User {
	nt, ok1 := varField(msg, 20)
	dom, ok2 := varField(msg, 28)
	usr, ok3 := varField(msg, 36)
	if !ok1 || !ok2 || !ok3 || len(nt) < 16+28 {
		return nil
	}
	domain, name := fromUTF16le(dom), fromUTF16le(usr)
	u := s.lookupUser(name, domain)
	if u == nil {
		return nil
	}
	blob := nt[16:]
	if blob[0] != 1 || blob[1] != 1 {
		return nil
	}
	// Reject stale responses: the blob carries the client's timestamp (FILETIME).
	ft := int64(binary.LittleEndian.Uint64(blob[8:16]))
	when := time.Unix(0, (ft-116444736000000000)*100)
	if d := s.now().Sub(when); d > 36*time.Hour || d < -36*time.Hour {
		return nil
	}
	h := md4.New()
	h.Write(utf16le(u.Password))
	mac := hmac.New(md5.New, h.Sum(nil))
	mac.Write(utf16le(strings.ToUpper(name) + domain))
	v2 := mac.Sum(nil)
	mac = hmac.New(md5.New, v2)
	mac.Write(ch[:])
	mac.Write(blob)
	if subtle.ConstantTimeCompare(mac.Sum(nil), nt[:16]) != 1 {
		return nil
	}
	return u
}
