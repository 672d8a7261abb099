package ewssim

import "fmt"

// Version selects which Exchange release the simulator pretends to be: the
// ServerVersionInfo it reports and the RequestServerVersion values it accepts
// (https://learn.microsoft.com/en-us/exchange/client-developer/exchange-web-services/ews-schema-versions-in-exchange).
type Version string

// Simulated Exchange releases.
const (
	Exchange2007 Version = "2007" // Exchange 2007 SP1: no streaming notifications
	Exchange2010 Version = "2010" // Exchange 2010 SP2
	Exchange2013 Version = "2013" // Exchange 2013 SP1
	Exchange2016 Version = "2016"
	Exchange2019 Version = "2019" // the default
)

// ErrUnknownVersion is returned by ParseVersion.
var ErrUnknownVersion = fmt.Errorf("ewssim: unknown Exchange version")

// ParseVersion accepts "2007", "2010", "2013", "2016" or "2019".
func ParseVersion(s string) (Version, error) {
	if _, ok := versions[Version(s)]; ok {
		return Version(s), nil
	}
	return "", fmt.Errorf("%w: %q (want 2007, 2010, 2013, 2016 or 2019)", ErrUnknownVersion, s)
}

type versionInfo struct {
	header     string // ServerVersionInfo attributes
	maxRequest string // newest RequestServerVersion accepted
	streaming  bool
}

var versions = map[Version]versionInfo{
	Exchange2007: {`MajorVersion="8" MinorVersion="1" MajorBuildNumber="436" MinorBuildNumber="0"`, "Exchange2007_SP1", false},
	Exchange2010: {`MajorVersion="14" MinorVersion="2" MajorBuildNumber="247" MinorBuildNumber="5" Version="Exchange2010_SP2"`, "Exchange2010_SP2", true},
	Exchange2013: {`MajorVersion="15" MinorVersion="0" MajorBuildNumber="1497" MinorBuildNumber="2" Version="V2_23"`, "Exchange2013_SP1", true},
	Exchange2016: {`MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" MinorBuildNumber="6" Version="V2017_07_11"`, "V2017_07_11", true},
	Exchange2019: {`MajorVersion="15" MinorVersion="2" MajorBuildNumber="1748" MinorBuildNumber="10" Version="V2017_07_11"`, "V2017_07_11", true},
}

func (v Version) info() versionInfo {
	if i, ok := versions[v]; ok {
		return i
	}
	return versions[Exchange2019]
}

// versionIndex orders RequestServerVersion values as the schema enumerates them.
func versionIndex(v string) int {
	for i, e := range schemaSimple["t:ExchangeVersionType"].Enum {
		if e == v {
			return i
		}
	}
	return -1
}

// checkVersion refuses what the simulated release would: a RequestServerVersion newer
// than it knows (ErrorInvalidServerVersion) and, on Exchange 2007, streaming notifications.
func (s *Server) checkVersion(env *envelope) *soapFault {
	info := s.opts.Version.info()
	if h := env.header("RequestServerVersion"); h != nil && versionIndex(h.attr("Version")) > versionIndex(info.maxRequest) {
		return &soapFault{Code: "ErrorInvalidServerVersion", Message: "The specified server version is invalid."}
	}
	if !info.streaming {
		op := env.Body
		if op.Local == "GetStreamingEvents" || (op.Local == "Subscribe" && len(op.Kids) > 0 && op.Kids[0].Local == "StreamingSubscriptionRequest") {
			n := op
			if op.Local == "Subscribe" {
				n = op.Kids[0]
			}
			return schemaFault(violationf(n, "The element '%s' in namespace '%s' is not declared.", n.Local, nsMessages))
		}
	}
	return nil
}
