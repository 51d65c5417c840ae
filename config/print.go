package config

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"
	"go.yaml.in/yaml/v3"
)

// WriteYAML writes c as a YAML configuration file with every key, in the
// order of the Config struct. Secrets are shown as <secret> (empty ones as
// ""), durations in their short form ("72h"). The output, secrets aside,
// loads back to the same Config.
func WriteYAML(w io.Writer, c Config) error {
	root := &yaml.Node{Kind: yaml.MappingNode}
	val := reflect.ValueOf(c)
	for _, l := range leaves() {
		parent := root
		parts := strings.Split(l.name, ".")
		for _, p := range parts[:len(parts)-1] {
			parent = section(parent, p)
		}
		key := &yaml.Node{Kind: yaml.ScalarNode, Value: parts[len(parts)-1]}
		v := &yaml.Node{}
		if err := v.Encode(plain(val.FieldByIndex(l.index), l.kind)); err != nil {
			return fmt.Errorf("encode %s: %w", l.name, err)
		}
		if l.kind == kindList && len(v.Content) == 0 {
			v.Style = yaml.FlowStyle
		}
		parent.Content = append(parent.Content, key, v)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("write configuration: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write configuration: %w", err)
	}
	return nil
}

// section returns the mapping node under name in parent, adding it if new.
func section(parent *yaml.Node, name string) *yaml.Node {
	for i := 0; i+1 < len(parent.Content); i += 2 {
		if parent.Content[i].Value == name {
			return parent.Content[i+1]
		}
	}
	m := &yaml.Node{Kind: yaml.MappingNode}
	parent.Content = append(parent.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, m)
	return m
}

// plain returns a printable form of a field: secrets redacted, durations as
// short strings, lists never nil.
func plain(v reflect.Value, k kind) any {
	switch k {
	case kindSecret:
		return Secret(v.String()).String()
	case kindDuration:
		return formatDuration(time.Duration(v.Int()))
	case kindList:
		if v.Len() == 0 {
			return []string{}
		}
		return v.Interface()
	default:
		return v.Interface()
	}
}

// MarshalLogObject implements zapcore.ObjectMarshaler, so zap.Any("config",
// cfg) and zap.Object log every key, nested by section, with secrets
// redacted.
func (c Config) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	type node struct {
		name     string
		children []*node
		leaf     *leaf
	}
	root := &node{}
	for _, l := range leaves() {
		n := root
		parts := strings.Split(l.name, ".")
		for _, p := range parts[:len(parts)-1] {
			var next *node
			for _, ch := range n.children {
				if ch.name == p && ch.leaf == nil {
					next = ch
				}
			}
			if next == nil {
				next = &node{name: p}
				n.children = append(n.children, next)
			}
			n = next
		}
		n.children = append(n.children, &node{name: parts[len(parts)-1], leaf: &l})
	}
	val := reflect.ValueOf(c)
	var write func(n *node, enc zapcore.ObjectEncoder) error
	write = func(n *node, enc zapcore.ObjectEncoder) error {
		for _, ch := range n.children {
			if ch.leaf == nil {
				if err := enc.AddObject(ch.name, zapcore.ObjectMarshalerFunc(func(e zapcore.ObjectEncoder) error {
					return write(ch, e)
				})); err != nil {
					return err
				}
				continue
			}
			f := val.FieldByIndex(ch.leaf.index)
			switch ch.leaf.kind {
			case kindSecret:
				enc.AddString(ch.name, Secret(f.String()).String())
			case kindString:
				enc.AddString(ch.name, f.String())
			case kindBool:
				enc.AddBool(ch.name, f.Bool())
			case kindInt:
				enc.AddInt64(ch.name, f.Int())
			case kindFloat:
				enc.AddFloat64(ch.name, f.Float())
			case kindDuration:
				enc.AddString(ch.name, formatDuration(time.Duration(f.Int())))
			case kindList:
				items := f.Interface().([]string)
				if err := enc.AddArray(ch.name, zapcore.ArrayMarshalerFunc(func(a zapcore.ArrayEncoder) error {
					for _, s := range items {
						a.AppendString(s)
					}
					return nil
				})); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return write(root, enc)
}
