package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Key describes one configuration key for documentation and tooling.
type Key struct {
	// Name is the dotted key, e.g. "nudges.daily_cap".
	Name string
	// Env is the environment variable that sets it, e.g. "LEADNUDGE_NUDGES_DAILY_CAP".
	Env string
	// Flag is the dedicated command-line flag registered by AddFlags, without
	// dashes, or "" when the key is set on the command line with --set only.
	Flag string
	// Type is one of string, secret, bool, integer, number, duration, list.
	Type string
	// Default is the default value as it would be written in the environment.
	Default string
	// Description is the one-line meaning.
	Description string
}

// kind is the type of a leaf key, which decides how raw values convert.
type kind int

const (
	kindString kind = iota
	kindSecret
	kindBool
	kindInt
	kindFloat
	kindDuration
	kindList
)

func (k kind) String() string {
	return [...]string{"string", "secret", "bool", "integer", "number", "duration", "list"}[k]
}

var (
	secretType   = reflect.TypeFor[Secret]()
	durationType = reflect.TypeFor[time.Duration]()
)

// leaf is one key of the Config struct: its dotted name, where it lives in
// the struct and its type.
type leaf struct {
	name  string
	index []int
	kind  kind
	desc  string
}

// leaves walks the Config type in declaration order. It panics on a field
// type this package cannot load; TestKeys keeps that from ever shipping.
func leaves() []leaf {
	var out []leaf
	var walk func(t reflect.Type, prefix string, index []int)
	walk = func(t reflect.Type, prefix string, index []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			name := f.Tag.Get("yaml")
			if prefix != "" {
				name = prefix + "." + name
			}
			idx := append(append([]int(nil), index...), i)
			var k kind
			switch {
			case f.Type == secretType:
				k = kindSecret
			case f.Type == durationType:
				k = kindDuration
			case f.Type.Kind() == reflect.Struct:
				walk(f.Type, name, idx)
				continue
			case f.Type.Kind() == reflect.String:
				k = kindString
			case f.Type.Kind() == reflect.Bool:
				k = kindBool
			case f.Type.Kind() == reflect.Int:
				k = kindInt
			case f.Type.Kind() == reflect.Float64:
				k = kindFloat
			case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String:
				k = kindList
			default:
				panic(fmt.Sprintf("config: field %s has unsupported type %s", name, f.Type))
			}
			out = append(out, leaf{name: name, index: idx, kind: k, desc: f.Tag.Get("desc")})
		}
	}
	walk(reflect.TypeFor[Config](), "", nil)
	return out
}

// EnvName returns the environment variable for a dotted key:
// "nudges.daily_cap" → "LEADNUDGE_NUDGES_DAILY_CAP".
func EnvName(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// FlagName returns the command-line flag name for a dotted key:
// "log.level" → "log-level".
func FlagName(key string) string {
	return strings.NewReplacer(".", "-", "_", "-").Replace(key)
}

// hasFlag reports whether a key gets a dedicated flag from AddFlags; every
// key (these too) can be set with --set key=value. Tokens and the DSN
// deliberately have no flag: command lines are visible to every user of the
// machine.
func hasFlag(key string) bool {
	switch key {
	case "slack.api_url", "store.driver", "rules.file", "http.listen", "log.level", "log.format":
		return true
	}
	return false
}

// Keys lists every configuration key in the order of the Config struct.
func Keys() []Key {
	def := reflect.ValueOf(Default())
	var keys []Key
	for _, l := range leaves() {
		k := Key{
			Name:        l.name,
			Env:         EnvName(l.name),
			Type:        l.kind.String(),
			Default:     envForm(def.FieldByIndex(l.index), l.kind),
			Description: l.desc,
		}
		if hasFlag(l.name) {
			k.Flag = FlagName(l.name)
		}
		keys = append(keys, k)
	}
	return keys
}

// envForm renders a default value the way it would be written in the
// environment. Never call it on a loaded configuration: it reveals secrets.
func envForm(v reflect.Value, k kind) string {
	switch k {
	case kindSecret:
		return v.String() // only ever called on defaults, which are public
	case kindDuration:
		return formatDuration(time.Duration(v.Int()))
	case kindList:
		return strings.Join(v.Interface().([]string), ",")
	case kindFloat:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	default:
		return fmt.Sprint(v.Interface())
	}
}

// formatDuration prints d without trailing zero units: 72h, 10m, 1h30m.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// ReferenceMarkdown renders the configuration reference table (key, default,
// environment variable, meaning) as Markdown, as it appears in the README.
func ReferenceMarkdown() string {
	var b strings.Builder
	b.WriteString("| Key | Default | Environment | Meaning |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, k := range Keys() {
		def := "`" + k.Default + "`"
		if k.Default == "" {
			def = "*(empty)*"
		}
		meaning := k.Description
		if k.Flag != "" {
			meaning += " Flag: `--" + k.Flag + "`."
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s |\n", k.Name, def, k.Env, strings.ReplaceAll(meaning, "|", `\|`))
	}
	return b.String()
}
