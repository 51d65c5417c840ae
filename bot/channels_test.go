package bot

import "testing"

func TestChannelFilter(t *testing.T) {
	byName := map[string]string{"general": "C1", "leads": "G2"}
	tests := []struct {
		name        string
		allow, deny []string
		want        map[string]bool
	}{
		{"no lists", nil, nil, map[string]bool{"C1": true, "C9": true}},
		{"allow by id and name", []string{"C9", "#general"}, nil, map[string]bool{"C1": true, "C9": true, "G2": false}},
		{"deny wins", []string{"general", "leads"}, []string{"G2"}, map[string]bool{"C1": true, "G2": false}},
		{"unknown name allows nothing", []string{"nope"}, nil, map[string]bool{"C1": false}},
		{"deny by name only", nil, []string{"#leads"}, map[string]bool{"C1": true, "G2": false}},
	}
	for _, tt := range tests {
		f := buildChannelFilter(tt.allow, tt.deny, byName)
		for ch, want := range tt.want {
			if got := f.allowed(ch); got != want {
				t.Errorf("%s: allowed(%s) = %v, want %v", tt.name, ch, got, want)
			}
		}
	}
	if got := channelNames([]string{"C1", "#general", "G22"}, []string{"leads"}); len(got) != 2 || got[0] != "general" || got[1] != "leads" {
		t.Errorf("channelNames = %v", got)
	}
}
