package nextcloudsim

import "testing"

func TestPHPJSON(t *testing.T) {
	got, err := phpJSON(omap{{"uri", "principals/users/a"}, {"html", "<b>&"}, {"n", nil}})
	want := `{"uri":"principals\/users\/a","html":"<b>&","n":null}`
	if err != nil || string(got) != want {
		t.Errorf("phpJSON() = %s, %v; want %s", got, err, want)
	}
}
