package storetest

import "testing"

func TestWithSearchPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:p@127.0.0.1:5432/db?sslmode=disable", "postgres://u:p@127.0.0.1:5432/db?search_path=s1&sslmode=disable"},
		{"host=127.0.0.1 dbname=db", "host=127.0.0.1 dbname=db search_path=s1"},
	}
	for _, tt := range tests {
		if got := WithSearchPath(tt.in, "s1"); got != tt.want {
			t.Errorf("WithSearchPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
