package nudges

import (
	_ "embed"
	"fmt"
)

//go:embed rules/builtin.yaml
var builtinYAML []byte

// BuiltinName is the name built-in rules carry in positions and listings.
const BuiltinName = "builtin.yaml"

// BuiltinYAML returns the embedded built-in rules file, for people who want
// to start their own from it.
func BuiltinYAML() []byte {
	return append([]byte(nil), builtinYAML...)
}

// Builtin parses the built-in rules. It fails only if the embedded file is
// broken, which the package's tests rule out.
func Builtin() (*RuleSet, error) {
	rs, err := ParseRules(BuiltinName, builtinYAML)
	if err != nil {
		return nil, fmt.Errorf("built-in rules: %w", err)
	}
	return rs, nil
}
