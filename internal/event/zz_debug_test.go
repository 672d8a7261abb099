package event

import (
	"encoding/xml"
	"fmt"
	"os"
	"testing"
)

func TestZZDebug(t *testing.T) {
	f := os.Getenv("DBG")
	if f == "" {
		t.Skip()
	}
	cal := parseFile(t, f)
	s, is, err := FromICal(cal, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("issues", is)
	b, _ := xml.MarshalIndent(s.Master, "", " ")
	fmt.Println(string(b))
	fmt.Println("deleted", s.Deleted)
	for _, o := range s.Overrides {
		fmt.Println("override", o.OriginalStart, o.Item.Start, o.Item.Subject)
	}
	m, e := fakeServer(t, s, true)
	fresh, _, err := MergeIntoICal(nil, m, e, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := Encode(fresh)
	fmt.Println(string(out))
}
