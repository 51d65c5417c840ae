// Package nudges is leadnudge's pure engine: the rules-file schema and its
// strict loader, the text normalizer, the compiled multi-pattern matcher, the
// tips and the weekly reflection prompts, with the built-in rules embedded.
//
// It imports nothing of Slack, no database and no clock: rules go in,
// matches come out. That keeps it fast, deterministic and fuzzable.
//
// The flow is:
//
//	rs, err := nudges.ParseRules("rules.yaml", data) // or nudges.Builtin()
//	m, err := nudges.Compile(rs)
//	matches := m.Match(nudges.Message{Text: text, Blocks: blocks})
//
// Matching normalizes the message once (case, quotes and apostrophes,
// whitespace, Slack entities and mrkdwn emphasis), drops what are not the
// author's own words (code, block quotes, quoted speech, links, mentions,
// emoji codes), and runs one Aho-Corasick automaton over every phrase variant
// of every rule, so the cost per message does not grow with the number of
// rules. Word boundaries are Unicode-aware. Exceptions ("unless") are judged
// against the sentence that contains a match.
package nudges
