package config

import (
	"os"
	"testing"
)

// FuzzLoad feeds arbitrary bytes as the configuration file. Loading must
// never panic; it either fails or yields a configuration that prints and
// loads back unchanged.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"testdata/full.yaml", "testdata/bad-keys.yaml", "testdata/bad-syntax.yaml", "testdata/invalid.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(""))
	f.Add([]byte("~"))
	f.Add([]byte("a: &x {b: *x}"))
	f.Add([]byte("nudges: {channels: {allow: 'a,b'}, cooldown: 1h}\nslack: {bot_token: !!binary aGk=}"))
	f.Add([]byte("reflection:\n  holidays: [2025-12-25]\n  rate: .inf\n  fatigue_after: 99999999999999999999\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := load("fuzz.yaml", data, nil, noEnv)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		_ = cfg.Validate()
		roundTrip(t, cfg)
	})
}
