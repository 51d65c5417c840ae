package nudges

import (
	"strings"
	"unicode/utf8"
)

// verdict is what the judgements say of one candidate.
type verdict uint8

const (
	kept verdict = iota
	dropGuard
	dropReported
	dropException
	dropJoke
	dropQuestion
	dropNotClause
)

// judge decides whether a phrase candidate counts, in a fixed order: meta
// talk (a guard earlier in the sentence), reported speech, the rule's
// exceptions, laughter (a joke), a question, and for imperative phrases the
// clause opening.
// by is the index (in sc.guards, sc.reports or sc.excs) of what dropped it.
func (m *Matcher) judge(sc *scratch, cd candidate) (v verdict, by int) {
	b := sc.z.buf
	ch := &m.chains[cd.chain]
	ss := sentenceStart(b, int(cd.start))
	se := sentenceEnd(b, int(cd.end))
	for i, g := range sc.guards {
		if int(g.start) >= ss && g.end <= cd.start {
			return dropGuard, i
		}
	}
	if ch.reported == Skip {
		for i, r := range sc.reports {
			if int(r.start) >= ss && r.end <= cd.start && !firstPersonBefore(b, int(r.start), ss) && !documentBefore(b, int(r.start), ss) {
				return dropReported, i
			}
			if r.start >= cd.end && int(r.start) < se && reportTag(b, int(cd.end), int(r.start)) {
				return dropReported, i
			}
		}
	}
	for i, e := range sc.excs {
		if m.chains[e.chain].rule == ch.rule && int(e.start) >= ss && int(e.end) <= se {
			return dropException, i
		}
	}
	if ch.jokes == Skip && laughing(&sc.z, ss, se) {
		return dropJoke, -1
	}
	question := isQuestion(b, int(cd.end), se)
	if question && (ch.questions == Skip || ch.mood == MoodImperative) {
		return dropQuestion, -1
	}
	if ch.mood == MoodImperative && !opensClause(b, ss, int(cd.start)) {
		return dropNotClause, -1
	}
	return kept, -1
}

// maxTagWords is how many words may name the speaker between a phrase and
// a reporting verb after it ("…, my old boss would say").
const maxTagWords = 3

// reportTag reports whether the text between a phrase (ending at from) and
// a reported-speech marker after it (starting at to) makes the marker a
// speech tag: "my way or the highway, said the GPS", "just do it, she
// said", "…, as my first lead put it". The phrase must end at a comma,
// semicolon, colon or dash, and then come at most maxTagWords words, none
// of them "I" or "we" ("just do it, I said" is the author's own voice) nor
// "just" ("…, just saying" is no report).
func reportTag(b []byte, from, to int) bool {
	i := from
	for i < to && b[i] == ' ' {
		i++
	}
	if i == to {
		return false
	}
	switch c := b[i]; {
	case c == ',' || c == ';' || c == ':' || c == '-':
		i++
	case c == 0xe2 && i+2 < to && b[i+1] == 0x80 && (b[i+2] == 0x93 || b[i+2] == 0x94): // – —
		i += 3
	default:
		return false
	}
	words := 0
	for i < to {
		for i < to && b[i] == ' ' {
			i++
		}
		j := i
		for j < to && (isWordByte(b[j]) && b[j] < utf8.RuneSelf || b[j] == '\'') {
			j++
		}
		if j == i {
			return i == to
		}
		switch string(b[i:j]) {
		case "i", "we", "i'm", "we're", "just":
			// the author's own voice, or the idiom "…, just saying"
			return false
		}
		if words++; words > maxTagWords {
			return false
		}
		i = j
	}
	return true
}

// endsSentenceAt reports whether b[i] ends a sentence: ! ? a newline, a
// block edge, or a full stop not followed by a word character ("v1.2" and
// "example.com" go on).
func endsSentenceAt(b []byte, i int) bool {
	switch b[i] {
	case '!', '?', '\n', sepBlock:
		return true
	case '.':
		return i+1 >= len(b) || !isWordByte(b[i+1])
	}
	return false
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c >= utf8.RuneSelf
}

// sentenceStart returns the offset where the sentence holding i starts.
func sentenceStart(b []byte, i int) int {
	for i > 0 && !endsSentenceAt(b, i-1) {
		i--
	}
	return i
}

// sentenceEnd returns the offset of the character that ends the sentence
// holding the text before i (or len(b)).
func sentenceEnd(b []byte, i int) int {
	for i < len(b) && !endsSentenceAt(b, i) {
		i++
	}
	return i
}

// questionTags are the short tails that turn a statement into a demand
// for agreement, not a question: "that's final, understood?".
var questionTags = map[string]bool{
	"ok": true, "okay": true, "k": true, "kk": true, "got it": true, "got that": true, "understood": true,
	"clear": true, "is that clear": true, "are we clear": true, "am i clear": true, "capisce": true,
	"right": true, "yeah": true, "alright": true, "all right": true, "yes": true, "comprende": true,
	"is that understood": true, "you hear me": true, "hear me": true, "savvy": true, "deal": true,
}

// isQuestion reports whether the sentence ending at se (after the match
// ending at from) is a question: it ends with "?" and the words after the
// match are not only a tag ("…, ok?").
func isQuestion(b []byte, from, se int) bool {
	if se >= len(b) || b[se] != '?' {
		return false
	}
	tail := b[from:se]
	if k := lastIndexAny(tail, ",;:"); k >= 0 {
		tail = tail[k+1:]
	}
	t := strings.Trim(string(tail), " \x01\x00-—–.!")
	if t == "" {
		return true
	}
	return !questionTags[t]
}

func lastIndexAny(b []byte, chars string) int {
	for i := len(b) - 1; i >= 0; i-- {
		if strings.IndexByte(chars, b[i]) >= 0 {
			return i
		}
	}
	return -1
}

// softeners are the words that may come before an imperative without
// making it something else: connectives, interjections, vocatives.
var softeners = map[string]bool{
	"and": true, "so": true, "but": true, "then": true, "now": true, "just": true, "please": true,
	"pls": true, "plz": true, "ok": true, "okay": true, "k": true, "kk": true, "look": true, "listen": true,
	"honestly": true, "seriously": true, "frankly": true, "guys": true, "folks": true, "team": true,
	"everyone": true, "everybody": true, "y'all": true, "yall": true, "people": true, "all": true,
	"hey": true, "well": true, "yes": true, "yeah": true, "yep": true, "no": true, "nope": true,
	"alright": true, "right": true, "fine": true, "again": true, "also": true, "simply": true,
	"really": true, "basically": true, "anyway": true, "anyways": true, "oh": true, "um": true,
	"uh": true, "dude": true, "man": true, "lol": true, "ugh": true, "sigh": true, "hmm": true,
	"or": true, "otherwise": true, "therefore": true, "hence": true, "thus": true,
	"instead": true, "meanwhile": true, "still": true, "today": true, "tomorrow": true, "tonight": true,
	"asap": true, "quickly": true, "immediately": true, "kindly": true, "go": true,
}

// opensClause reports whether the words between the clause start and i are
// only softeners: the phrase at i stands where a command stands. A clause
// starts at the sentence start, after , ; : ( ) or a dash, and after
// skipped text (a mention, an emoji).
func opensClause(b []byte, ss, i int) bool {
	for {
		for i > ss && b[i-1] == ' ' {
			i--
		}
		if i <= ss {
			return true
		}
		r, size := utf8.DecodeLastRune(b[ss:i])
		if r != '\'' && !isWordRune(r) {
			// punctuation, a dash, a separator, an emoji: a clause edge
			return true
		}
		j := i
		for j > ss {
			r, size = utf8.DecodeLastRune(b[ss:j])
			if r != '\'' && !isWordRune(r) {
				break
			}
			j -= size
		}
		if !softeners[string(b[j:i])] {
			return false
		}
		i = j
	}
}

// documents are what "says" a rule rather than a person reporting speech:
// "policy says no remote Fridays, there's no point asking me why" quotes
// nobody.
var documents = map[string]bool{
	"policy": true, "handbook": true, "doc": true, "docs": true, "wiki": true, "contract": true,
	"spec": true, "rule": true, "rules": true, "law": true, "guide": true, "readme": true,
	"manual": true, "runbook": true, "process": true, "playbook": true, "sop": true,
}

// documentBefore reports whether the word right before i (within the
// sentence starting at ss) is a document: the marker at i cites it.
func documentBefore(b []byte, i, ss int) bool {
	for i > ss && b[i-1] == ' ' {
		i--
	}
	j := i
	for j > ss && isWordByte(b[j-1]) && b[j-1] < utf8.RuneSelf {
		j--
	}
	return j < i && documents[string(b[j:i])]
}

// firstPersonBefore reports whether the words before i (within the
// sentence starting at ss) make a reporting verb the author's own voice:
// "as I said", "I've already answered", "we just told them", and the
// set phrases "that said", "having said that".
func firstPersonBefore(b []byte, i, ss int) bool {
	for {
		for i > ss && b[i-1] == ' ' {
			i--
		}
		j := i
		for j > ss && (isWordByte(b[j-1]) || b[j-1] == '\'') {
			j--
		}
		switch w := string(b[j:i]); w {
		case "i", "we", "i've", "we've", "i'd", "we'd", "i'm", "we're", "i'll", "we'll", "that", "having":
			return true
		case "already", "just", "also", "literally", "really", "even", "have", "had", "clearly", "explicitly":
			if j == i {
				return false
			}
			i = j
		default:
			return false
		}
	}
}

// cliticFits reports whether the word before start takes the contracted
// form a variant starts with ("is" + "n't", "that" + "'s", "i" + "'m"),
// and returns where that word starts: the match begins there.
func cliticFits(b []byte, start int, c clitic) (int, bool) {
	j := start
	for j > 0 && isWordByte(b[j-1]) {
		j--
	}
	if j == start || j > 0 && wordBefore(b, j) {
		return start, false
	}
	w := string(b[j:start])
	switch c {
	case clitWord:
		return j, true
	case clitI:
		return j, w == "i"
	case clitAux:
		for _, s := range auxStems {
			if w == s {
				return j, true
			}
		}
	}
	return start, false
}

// gapFits reports whether at most n words stand between from and to, in
// one sentence. Skipped text (a mention, a link) counts as a word.
// n == gapAdjacent means the two are next to each other: one space or
// line break between them, nothing else.
func gapFits(b []byte, from, to, n int) bool {
	if n == gapAdjacent {
		return to-from == 1 && (b[from] == ' ' || b[from] == '\n')
	}
	if to-from > 48*(n+1) {
		return false
	}
	words := 0
	inWord, inSkip := false, false
	for i := from; i < to; i++ {
		c := b[i]
		if endsSentenceAt(b, i) {
			return false
		}
		if c == sepInline {
			// a run of skipped text (a mention, a quoted span) is one word
			if !inSkip {
				words++
			}
			inSkip, inWord = true, false
		} else {
			w := isWordByte(c) || c == '\'' && inWord
			if w && !inWord {
				words++
			}
			inWord, inSkip = w, false
		}
		if words > n {
			return false
		}
	}
	return true
}

// laughing reports whether the sentence ss..se laughs: a word such as
// "lol", "haha" or "jk", a laughing emoji (😂, 🤣, 💀, 😜, …) or emoji code
// (":joy:", ":sweat_smile:", …) in it, or right after its end ("Just do
// it! 😂"). Banter between peers borrows the words of a put-down; a
// nudge on it would be a lecture nobody asked for.
func laughing(z *normalizer, ss, se int) bool {
	b := z.buf
	end := se
	if end < len(b) {
		end++
	}
	for end < len(b) && (b[end] == ' ' || b[end] == sepInline || b[end] >= utf8.RuneSelf) {
		end++
	}
	for _, p := range z.laughs {
		if int(p) >= ss && int(p) <= end {
			return true
		}
	}
	for i := ss; i < end; {
		c := b[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(b[i:end])
			if laughRunes[r] {
				return true
			}
			i += size
			continue
		}
		if !isWordByte(c) {
			i++
			continue
		}
		j := i
		for j < end && b[j] < utf8.RuneSelf && isWordByte(b[j]) {
			j++
		}
		if laughWord(b[i:j]) {
			return true
		}
		i = j
	}
	return false
}

// laughWord reports whether w is a written laugh: lol (lolol), lmao,
// lmfao, rofl, jk, and runs of ha or he (haha, hehehe).
func laughWord(w []byte) bool {
	switch string(w) {
	case "lol", "lool", "lolol", "lmao", "lmfao", "rofl", "roflmao", "jk", "jkjk":
		return true
	}
	if len(w) < 4 || len(w)%2 != 0 {
		return false
	}
	for i := 0; i < len(w); i += 2 {
		if w[i] != 'h' || w[i+1] != w[1] || w[1] != 'a' && w[1] != 'e' {
			return false
		}
	}
	return true
}

// laughRunes are the emoji that laugh or wink. (Not the upside-down face:
// it is as often passive-aggressive as playful.)
var laughRunes = map[rune]bool{
	'\U0001F602': true, // face with tears of joy
	'\U0001F923': true, // rolling on the floor laughing
	'\U0001F606': true, // grinning squinting face
	'\U0001F605': true, // grinning face with sweat
	'\U0001F604': true, // grinning face with smiling eyes
	'\U0001F601': true, // beaming face
	'\U0001F609': true, // winking face
	'\U0001F61C': true, // winking face with tongue
	'\U0001F61D': true, // squinting face with tongue
	'\U0001F61B': true, // face with tongue
	'\U0001F92A': true, // zany face
	'\U0001F480': true, // skull ("I'm dead")
	'\U0001F639': true, // cat with tears of joy
}

// laughCodes are the Slack emoji codes of laughRunes (and Slack's own
// aliases), without colons.
var laughCodes = map[string]bool{
	"joy": true, "rofl": true, "rolling_on_the_floor_laughing": true, "laughing": true, "satisfied": true,
	"sweat_smile": true, "smile": true, "grin": true, "wink": true, "stuck_out_tongue_winking_eye": true,
	"stuck_out_tongue_closed_eyes": true, "stuck_out_tongue": true, "zany_face": true,
	"skull": true, "joy_cat": true, "lol": true, "kekw": true,
}
