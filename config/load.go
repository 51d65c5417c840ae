package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// ConfigEnv names the configuration file when neither --config nor
// LoadOptions.File does.
const ConfigEnv = EnvPrefix + "_CONFIG"

// LoadOptions says where Load reads the configuration from.
type LoadOptions struct {
	// File is the configuration file to read; it must exist. When empty, the
	// --config flag (if Flags has it), then $LEADNUDGE_CONFIG, then
	// DefaultFile in Dir (only if it exists) are tried, in that order.
	File string
	// Dir is the directory searched for DefaultFile; empty means the working
	// directory.
	Dir string
	// Flags, when not nil, is consulted for --config, --set key=value and any
	// flag named FlagName(key) that was set on the command line (see AddFlags).
	Flags *pflag.FlagSet
	// Env looks up environment variables; nil means os.LookupEnv. A variable
	// set to the empty string counts as unset.
	Env func(string) (string, bool)
}

// FieldError is one problem with one configuration key. Load and the
// Validate methods return several of them joined with errors.Join, sorted by
// key; Error() already names the key.
type FieldError struct {
	// Key is the dotted key the problem is about (or the closest thing to one,
	// such as "--set" for a malformed flag).
	Key string
	// Message is the full human-readable message, starting with the key.
	Message string
}

// Error returns the message.
func (e *FieldError) Error() string { return e.Message }

// joinSorted returns the problems as one error (nil when there are none),
// ordered by key then message so output is deterministic.
func joinSorted(problems []*FieldError) error {
	if len(problems) == 0 {
		return nil
	}
	slices.SortFunc(problems, func(a, b *FieldError) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	errs := make([]error, 0, len(problems))
	for i, p := range problems {
		if i > 0 && p.Message == problems[i-1].Message {
			continue
		}
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}

// AddFlags registers the configuration flags on fs: --config FILE, the
// repeatable --set key=value (any key), and a dedicated flag for the keys
// most often changed on the command line (log-level, log-format,
// http-listen, store-driver, rules-file, slack-api-url). Pass the same fs as
// LoadOptions.Flags. Tokens have no dedicated flag: use the environment.
func AddFlags(fs *pflag.FlagSet) {
	fs.String("config", "", "configuration file (default ./"+DefaultFile+" if present, or $"+ConfigEnv+")")
	fs.StringArray("set", nil, "set any configuration key, e.g. --set nudges.daily_cap=3 (repeatable)")
	def := reflect.ValueOf(Default())
	for _, l := range leaves() {
		if hasFlag(l.name) {
			fs.String(FlagName(l.name), envForm(def.FieldByIndex(l.index), l.kind), l.desc)
		}
	}
}

// Load builds the effective configuration: defaults, overridden by the file,
// overridden by LEADNUDGE_<SECTION>_<KEY> environment variables, overridden
// by flags. An explicitly named file that is missing is an error; so are
// unknown keys and values of the wrong type, all reported at once and each
// naming its key and where the value came from. Load does not call Validate.
func Load(opts LoadOptions) (Config, error) {
	env := opts.Env
	if env == nil {
		env = os.LookupEnv
	}
	name, required, err := configFile(opts, env)
	if err != nil {
		return Default(), err
	}
	var data []byte
	if name != "" {
		data, err = os.ReadFile(name)
		switch {
		case err != nil && !required && errors.Is(err, fs.ErrNotExist):
			name = ""
		case err != nil:
			return Default(), fmt.Errorf("read config file: %w", err)
		}
	}
	return load(name, data, opts.Flags, env)
}

// configFile decides which file to read and whether it must exist.
func configFile(opts LoadOptions, env func(string) (string, bool)) (name string, required bool, err error) {
	if opts.Flags != nil {
		if f := opts.Flags.Lookup("config"); f != nil && f.Changed {
			if f.Value.String() == "" {
				return "", false, errors.New("--config: empty file name")
			}
			return f.Value.String(), true, nil
		}
	}
	if opts.File != "" {
		return opts.File, true, nil
	}
	if v, ok := env(ConfigEnv); ok && v != "" {
		return v, true, nil
	}
	return filepath.Join(opts.Dir, DefaultFile), false, nil
}

// load is Load after the file has been read; name is "" when there is none.
func load(name string, data []byte, flags *pflag.FlagSet, env func(string) (string, bool)) (Config, error) {
	ls := leaves()
	var problems []*FieldError
	source := map[string]string{} // key → where its winning value came from
	values := map[string]any{}    // file values overlaid with environment values

	if name != "" {
		if err := readFile(name, data, ls, values, source, &problems); err != nil {
			return Default(), err
		}
	}
	for _, l := range ls {
		if val, ok := env(EnvName(l.name)); ok && val != "" {
			setPath(values, l.name, val)
			source[l.name] = "from $" + EnvName(l.name)
		}
	}

	v := viper.New()
	def := reflect.ValueOf(Default())
	for _, l := range ls {
		dv := def.FieldByIndex(l.index)
		if l.kind == kindSecret {
			v.SetDefault(l.name, dv.String())
		} else {
			v.SetDefault(l.name, dv.Interface())
		}
	}
	if err := v.MergeConfigMap(values); err != nil {
		return Default(), fmt.Errorf("merge configuration: %w", err)
	}
	if flags != nil {
		problems = append(problems, bindFlags(v, flags, ls, source)...)
	}

	cfg := Default()
	out := reflect.ValueOf(&cfg).Elem()
	for _, l := range ls {
		val, err := convert(v.Get(l.name), l.kind)
		if err != nil {
			msg := l.name + ": " + err.Error()
			if s := source[l.name]; s != "" {
				msg += " (" + s + ")"
			}
			problems = append(problems, &FieldError{Key: l.name, Message: msg})
			continue
		}
		field := out.FieldByIndex(l.index)
		field.Set(reflect.ValueOf(val).Convert(field.Type()))
	}
	if err := joinSorted(problems); err != nil {
		return Default(), err
	}
	return cfg, nil
}

// readFile parses the YAML file, reports unknown keys and misplaced values,
// and copies every leaf value into values (nested maps, as viper wants them).
// Syntax errors end loading at once and are returned; key problems are added
// to problems.
func readFile(name string, data []byte, ls []leaf, values map[string]any, source map[string]string, problems *[]*FieldError) error {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file
		}
		return fmt.Errorf("config file %s: %w", name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: holds more than one YAML document", name)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	top := resolve(doc.Content[0])
	if isNull(top) {
		return nil
	}
	if top.Kind != yaml.MappingNode {
		return fmt.Errorf("config file %s:%d:%d: the top level must be a mapping of sections such as slack: and store:",
			name, top.Line, top.Column)
	}
	kinds := map[string]kind{}
	sections := map[string]bool{}
	for _, l := range ls {
		kinds[l.name] = l.kind
		for i, c := range l.name {
			if c == '.' {
				sections[l.name[:i]] = true
			}
		}
	}
	at := func(n *yaml.Node) string { return fmt.Sprintf("at %s:%d:%d", name, n.Line, n.Column) }
	var walk func(m *yaml.Node, prefix string)
	walk = func(m *yaml.Node, prefix string) {
		seen := map[string]bool{}
		for i := 0; i+1 < len(m.Content); i += 2 {
			kn, vn := m.Content[i], resolve(m.Content[i+1])
			if kn.Kind != yaml.ScalarNode {
				*problems = append(*problems, &FieldError{Key: prefix,
					Message: fmt.Sprintf("%s: a key must be a plain name (%s)", orTop(prefix), at(kn))})
				continue
			}
			key := kn.Value
			if prefix != "" {
				key = prefix + "." + key
			}
			if seen[key] {
				*problems = append(*problems, &FieldError{Key: key,
					Message: fmt.Sprintf("%s: set twice (%s)", key, at(kn))})
				continue
			}
			seen[key] = true
			if k, ok := kinds[key]; ok {
				source[key] = at(vn)
				if isNull(vn) {
					continue // null keeps the default
				}
				var raw any
				if err := vn.Decode(&raw); err != nil {
					if k == kindSecret {
						err = errors.New("not a plain value")
					}
					*problems = append(*problems, &FieldError{Key: key,
						Message: fmt.Sprintf("%s: expected %s: %v (%s)", key, k.article(), err, at(vn))})
					continue
				}
				setPath(values, key, raw)
				continue
			}
			if !sections[key] {
				msg := fmt.Sprintf("%s: unknown key (%s)", key, at(kn))
				if s := suggest(key, kinds, sections); s != "" {
					msg = fmt.Sprintf("%s: unknown key, did you mean %s? (%s)", key, s, at(kn))
				}
				*problems = append(*problems, &FieldError{Key: key, Message: msg})
				continue
			}
			switch {
			case isNull(vn):
			case vn.Kind == yaml.MappingNode:
				walk(vn, key)
			default:
				*problems = append(*problems, &FieldError{Key: key,
					Message: fmt.Sprintf("%s: expected a section of keys, got %s (%s)", key, describeNode(vn), at(vn))})
			}
		}
	}
	walk(top, "")
	return nil
}

func orTop(prefix string) string {
	if prefix == "" {
		return "top level"
	}
	return prefix
}

// resolve follows YAML aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a section"
	default:
		return strconv.Quote(n.Value)
	}
}

// suggest returns the known key or section closest to an unknown key, if
// any is close enough to be a likely typo.
func suggest(key string, kinds map[string]kind, sections map[string]bool) string {
	best, bestDist := "", 4
	try := func(cand string) {
		if d := distance(key, cand); d < bestDist || (d == bestDist && cand < best) {
			best, bestDist = cand, d
		}
	}
	for k := range kinds {
		try(k)
	}
	for s := range sections {
		try(s)
	}
	return best
}

// distance is the Levenshtein distance between two short strings.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// setPath stores val under a dotted key in nested maps.
func setPath(m map[string]any, key string, val any) {
	parts := strings.Split(key, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, ok := m[p].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[p] = sub
		}
		m = sub
	}
	m[parts[len(parts)-1]] = val
}

// flagValue is a flag value handed to viper; it always reports its value as
// a string so that conversion (and its error messages) stays in convert.
type flagValue struct{ name, value string }

func (f flagValue) HasChanged() bool    { return true }
func (f flagValue) Name() string        { return f.name }
func (f flagValue) ValueString() string { return f.value }
func (f flagValue) ValueType() string   { return "string" }

// flagString returns a set flag's value as it would be written on the
// command line; list flags are joined with commas.
func flagString(f *pflag.Flag) string {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		return strings.Join(sv.GetSlice(), ",")
	}
	return f.Value.String()
}

// bindFlags binds every changed flag named after a key, then each --set.
func bindFlags(v *viper.Viper, flags *pflag.FlagSet, ls []leaf, source map[string]string) []*FieldError {
	var problems []*FieldError
	known := map[string]bool{}
	for _, l := range ls {
		known[l.name] = true
		f := flags.Lookup(FlagName(l.name))
		if f == nil || !f.Changed {
			continue
		}
		if err := v.BindFlagValue(l.name, flagValue{name: f.Name, value: flagString(f)}); err != nil {
			problems = append(problems, &FieldError{Key: l.name, Message: fmt.Sprintf("%s: bind --%s: %v", l.name, f.Name, err)})
			continue
		}
		source[l.name] = "from --" + f.Name
	}
	f := flags.Lookup("set")
	if f == nil || !f.Changed {
		return problems
	}
	sets := []string{f.Value.String()}
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		sets = sv.GetSlice()
	}
	for _, s := range sets {
		key, val, ok := strings.Cut(s, "=")
		key = strings.TrimSpace(key)
		switch {
		case !ok:
			problems = append(problems, &FieldError{Key: "--set", Message: fmt.Sprintf("--set %q: want key=value", s)})
		case !known[key]:
			problems = append(problems, &FieldError{Key: key, Message: fmt.Sprintf("%s: unknown key (from --set)", key)})
		default:
			if err := v.BindFlagValue(key, flagValue{name: "set", value: val}); err != nil {
				problems = append(problems, &FieldError{Key: key, Message: fmt.Sprintf("%s: bind --set: %v", key, err)})
				continue
			}
			source[key] = "from --set"
		}
	}
	return problems
}

// article names what a kind of key expects, for error messages.
func (k kind) article() string {
	switch k {
	case kindBool:
		return "true or false"
	case kindInt:
		return "an integer"
	case kindFloat:
		return "a number"
	case kindDuration:
		return `a duration such as "72h" or "10m"`
	case kindList:
		return "a list of strings (comma-separated in the environment)"
	default:
		return "a string"
	}
}

// convert turns a raw value from any layer (typed default, YAML value, or
// string from the environment or a flag) into the Go type of the key.
func convert(raw any, k kind) (any, error) {
	bad := func() error {
		if k == kindSecret { // never echo what may be a secret
			return fmt.Errorf("expected %s, got %s", k.article(), typeName(raw))
		}
		return fmt.Errorf("expected %s, got %s", k.article(), describe(raw))
	}
	if raw == nil {
		return nil, bad()
	}
	s, isString := raw.(string)
	switch k {
	case kindString, kindSecret:
		if isString {
			return s, nil
		}
	case kindBool:
		switch x := raw.(type) {
		case bool:
			return x, nil
		case string:
			if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
				return b, nil
			}
		}
	case kindInt:
		switch x := raw.(type) {
		case int:
			return x, nil
		case int64:
			if x >= math.MinInt && x <= math.MaxInt {
				return int(x), nil
			}
		case uint64:
			if x <= math.MaxInt {
				return int(x), nil
			}
		case string:
			if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
				return n, nil
			}
		}
	case kindFloat:
		switch x := raw.(type) {
		case float64:
			return x, nil
		case int:
			return float64(x), nil
		case int64:
			return float64(x), nil
		case uint64:
			return float64(x), nil
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return f, nil
			}
		}
	case kindDuration:
		switch x := raw.(type) {
		case time.Duration:
			return x, nil
		case string:
			if d, err := time.ParseDuration(strings.TrimSpace(x)); err == nil {
				return d, nil
			}
		}
	case kindList:
		switch x := raw.(type) {
		case []string:
			return slices.Clone(x), nil
		case string:
			out := []string{}
			for item := range strings.SplitSeq(x, ",") {
				if item = strings.TrimSpace(item); item != "" {
					out = append(out, item)
				}
			}
			return out, nil
		case []any:
			out := make([]string, 0, len(x))
			for i, item := range x {
				str, ok := item.(string)
				if !ok {
					return nil, fmt.Errorf("expected a list of strings, item %d is %s", i+1, describe(item))
				}
				out = append(out, str)
			}
			return out, nil
		}
	}
	return nil, bad()
}

// typeName names the type of a raw value without showing it.
func typeName(raw any) string {
	switch raw.(type) {
	case nil:
		return "nothing"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, int64, uint64, float64:
		return "a number"
	case []any, []string:
		return "a list"
	case map[string]any, map[any]any:
		return "a section"
	default:
		return fmt.Sprintf("a %T", raw)
	}
}

// describe renders a raw value in an error message without dumping large
// structures.
func describe(raw any) string {
	switch x := raw.(type) {
	case nil:
		return "nothing"
	case string:
		if len(x) > 60 {
			x = x[:60] + "…"
		}
		return strconv.Quote(x)
	case []any, []string:
		return "a list"
	case map[string]any, map[any]any:
		return "a section"
	case time.Time:
		return x.Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}
