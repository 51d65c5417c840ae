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
// rules. The automaton reads the text a word at a time (one hash probe into
// the vocabulary of the rules' words, then one step), not a byte at a time.
// Word boundaries are Unicode-aware.
//
// Phrases are written with {a|b} alternatives, {$set} word sets, ~word forms
// and …N gaps; contractions match both ways. A phrase that multiplies out to
// many variants is cut into adjacent pieces, found separately and joined by
// position (see Compile). Each candidate is then judged against its sentence:
// meta-talk guards and reported speech before it (or a speech tag right
// after it: "…, she said"), the rule's exceptions anywhere in it, a
// question mark at its end, and for imperative phrases whether it opens a
// clause. Exceptions, guards and reported-speech markers
// are a second automaton that runs only over sentences holding a candidate.
// Matcher.Explain says, for every candidate, why it was kept or dropped;
// Evaluate measures a rule set on a labelled corpus.
package nudges
