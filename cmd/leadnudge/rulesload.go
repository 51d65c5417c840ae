package main

import (
	"github.com/leadnudge/leadnudge/nudges"
)

// loadRules loads the rules file at path, or the built-in rules when path is
// empty, and compiles them.
func loadRules(path string) (*nudges.Matcher, string, error) {
	var (
		rs   *nudges.RuleSet
		err  error
		name = path
	)
	if path == "" {
		name = nudges.BuiltinName + " (built in)"
		rs, err = nudges.Builtin()
	} else {
		rs, err = nudges.LoadRulesFile(path)
	}
	if err != nil {
		return nil, name, err
	}
	m, err := nudges.Compile(rs)
	return m, name, err
}
