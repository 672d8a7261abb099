package ews

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/reference"
)

// FuzzDecodeResponse feeds arbitrary bodies to the response decoder (as an
// HTTP 200 and a 500 answer, and as a notification stream): it must return
// a result or an error, never panic or hang. The seed corpus is in
// testdata/fuzz/FuzzDecodeResponse; the samples of ../shared are added when
// present.
func FuzzDecodeResponse(f *testing.F) {
	if d := sharedSamples(); d != "" {
		files, _ := filepath.Glob(filepath.Join(d, "*-response*.xml"))
		for _, fn := range files {
			if b, err := os.ReadFile(fn); err == nil {
				f.Add(b)
			}
		}
	}
	c, err := NewClient("https://ews.example.org/EWS/Exchange.asmx", &Options{MaxResponseBytes: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, status := range []int{200, 500} {
			var resp wire.Response
			err := c.decode("GetItem", &http.Response{StatusCode: status, Header: http.Header{}}, data, "GetItemResponse", &resp)
			if err == nil {
				// Whatever decoded must be usable.
				for i := range resp.ResponseMessages.Messages {
					m := &resp.ResponseMessages.Messages[i]
					_ = messageError("GetItem", m)
					for j := range m.Items {
						_ = m.Items[j].Fields()
					}
					if m.Changes != nil {
						for k := range m.Changes.Change {
							_ = m.Changes.Change[k].Id()
						}
					}
				}
			} else if err.Error() == "" {
				t.Errorf("empty error message")
			}
		}
		d := wire.NewDecoder(bytes.NewReader(data))
		for range 100 {
			var r wire.Response
			if _, _, err := wire.DecodeEnvelope(d, "GetStreamingEventsResponse", &r); err != nil {
				if !errors.Is(err, io.EOF) && err.Error() == "" {
					t.Errorf("empty error message")
				}
				break
			}
		}
	})
}

// sharedSamples returns ../shared/ews-samples (or under $EWS_SHARED_DIR),
// or "" when absent.
func sharedSamples() string {
	dir, err := reference.Dir()
	if err != nil {
		return ""
	}
	s := filepath.Join(dir, "ews-samples")
	if _, err := os.Stat(s); err != nil {
		return ""
	}
	return s
}
