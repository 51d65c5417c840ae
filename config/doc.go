// Package config holds leadnudge's typed configuration: one Config struct
// with a default for every key, loading from a YAML file, LEADNUDGE_*
// environment variables and command-line flags (in that order of increasing
// precedence), validation with messages that name the offending key, and the
// Secret type that keeps tokens and DSNs out of every printed form.
//
// Every key is described once, in the desc tag of its struct field; Keys and
// ReferenceMarkdown turn those into the README's configuration reference.
package config

// The per-person weekly schedule and reflection.default_timezone need the IANA
// time zone database even in a scratch or distroless image without one.
import _ "time/tzdata"
