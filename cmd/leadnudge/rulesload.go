package main

import (
	"github.com/leadnudge/leadnudge/nudges"
)

// loadRules loads the effective rules: the file at path (layered over the
// built-in rules when it says extends: builtin), or the built-in rules when
// path is empty, and compiles them.
func loadRules(path string) (*nudges.Matcher, string, error) {
	name := path
	if path == "" {
		name = nudges.BuiltinName + " (built in)"
	}
	rs, err := nudges.LoadEffective(path)
	if err != nil {
		return nil, name, err
	}
	if rs.Extends != "" {
		name = path + " (over the built-in rules)"
	}
	m, err := nudges.Compile(rs)
	return m, name, err
}
