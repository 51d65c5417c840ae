package nudges

import "strings"

// wordForms returns a word's inflections, the word itself first: for a
// verb its -s, -ed and -ing forms, for a noun its plural. It knows the
// irregular verbs and nouns that leadership phrasing uses, and applies
// English spelling rules to the rest (justify → justifies, justified;
// stop → stopped; decide → deciding). Forms that are not words (an -ed of a
// noun) cost nothing but a few unused automaton states.
func wordForms(w string) []string {
	if forms, ok := irregularForms[w]; ok {
		return append([]string{w}, forms...)
	}
	out := []string{w}
	add := func(f string) {
		for _, o := range out {
			if o == f {
				return
			}
		}
		out = append(out, f)
	}
	n := len(w)
	last := w[n-1]
	switch {
	case strings.HasSuffix(w, "s") || strings.HasSuffix(w, "x") || strings.HasSuffix(w, "z") ||
		strings.HasSuffix(w, "ch") || strings.HasSuffix(w, "sh"):
		add(w + "es")
	case last == 'y' && n > 1 && !isVowel(w[n-2]):
		add(w[:n-1] + "ies")
	default:
		add(w + "s")
	}
	switch {
	case last == 'e':
		add(w + "d")
	case last == 'y' && n > 1 && !isVowel(w[n-2]):
		add(w[:n-1] + "ied")
	case doublesFinal(w):
		add(w + string(last) + "ed")
	default:
		add(w + "ed")
	}
	switch {
	case strings.HasSuffix(w, "ie"):
		add(w[:n-2] + "ying")
	case last == 'e' && n > 2 && !strings.HasSuffix(w, "ee") && !strings.HasSuffix(w, "ye") && !strings.HasSuffix(w, "oe"):
		add(w[:n-1] + "ing")
	case doublesFinal(w):
		add(w + string(last) + "ing")
	default:
		add(w + "ing")
	}
	return out
}

func isVowel(c byte) bool {
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'
}

// doublesFinal reports whether a word doubles its last consonant before
// -ed and -ing: one-syllable words ending consonant-vowel-consonant (stop,
// plan, ship) and the stressed-last-syllable verbs listed.
func doublesFinal(w string) bool {
	if doubleLast[w] {
		return true
	}
	n := len(w)
	if n < 3 {
		return false
	}
	c1, v, c2 := w[n-3], w[n-2], w[n-1]
	if isVowel(c1) || !isVowel(v) || isVowel(c2) || c2 == 'w' || c2 == 'x' || c2 == 'y' {
		return false
	}
	vowelGroups := 0
	for i := 0; i < n; i++ {
		if isVowel(w[i]) && (i == 0 || !isVowel(w[i-1])) {
			vowelGroups++
		}
	}
	return vowelGroups == 1
}

// doubleLast lists longer verbs that double their last consonant.
var doubleLast = map[string]bool{
	"commit": true, "admit": true, "submit": true, "permit": true, "omit": true, "refer": true,
	"prefer": true, "defer": true, "control": true, "regret": true, "forget": true, "begin": true,
	"occur": true, "equip": true, "patrol": true, "compel": true, "propel": true, "transfer": true,
	"upset": true, "rebel": true, "dispel": true, "outrun": true,
}

// irregularForms lists the inflections of irregular verbs and nouns (the
// word itself not included).
var irregularForms = map[string][]string{
	"be":         {"is", "am", "are", "was", "were", "been", "being"},
	"have":       {"has", "had", "having"},
	"do":         {"does", "did", "done", "doing"},
	"say":        {"says", "said", "saying"},
	"tell":       {"tells", "told", "telling"},
	"make":       {"makes", "made", "making"},
	"go":         {"goes", "went", "gone", "going"},
	"know":       {"knows", "knew", "known", "knowing"},
	"think":      {"thinks", "thought", "thinking"},
	"get":        {"gets", "got", "gotten", "getting"},
	"give":       {"gives", "gave", "given", "giving"},
	"take":       {"takes", "took", "taken", "taking"},
	"write":      {"writes", "wrote", "written", "writing"},
	"run":        {"runs", "ran", "running"},
	"speak":      {"speaks", "spoke", "spoken", "speaking"},
	"choose":     {"chooses", "chose", "chosen", "choosing"},
	"bring":      {"brings", "brought", "bringing"},
	"let":        {"lets", "letting"},
	"put":        {"puts", "putting"},
	"set":        {"sets", "setting"},
	"hear":       {"hears", "heard", "hearing"},
	"keep":       {"keeps", "kept", "keeping"},
	"leave":      {"leaves", "left", "leaving"},
	"mean":       {"means", "meant", "meaning"},
	"pay":        {"pays", "paid", "paying"},
	"feel":       {"feels", "felt", "feeling"},
	"find":       {"finds", "found", "finding"},
	"hold":       {"holds", "held", "holding"},
	"stand":      {"stands", "stood", "standing"},
	"understand": {"understands", "understood", "understanding"},
	"teach":      {"teaches", "taught", "teaching"},
	"see":        {"sees", "saw", "seen", "seeing"},
	"come":       {"comes", "came", "coming"},
	"forget":     {"forgets", "forgot", "forgotten", "forgetting"},
	"lead":       {"leads", "led", "leading"},
	"win":        {"wins", "won", "winning"},
	"lose":       {"loses", "lost", "losing"},
	"send":       {"sends", "sent", "sending"},
	"spend":      {"spends", "spent", "spending"},
	"build":      {"builds", "built", "building"},
	"fight":      {"fights", "fought", "fighting"},
	"catch":      {"catches", "caught", "catching"},
	"read":       {"reads", "reading"},
	"shut":       {"shuts", "shutting"},
	"cut":        {"cuts", "cutting"},
	"quit":       {"quits", "quitting"},
	"sit":        {"sits", "sat", "sitting"},
	"break":      {"breaks", "broke", "broken", "breaking"},
	"begin":      {"begins", "began", "begun", "beginning"},
	"earn":       {"earns", "earned", "earnt", "earning"},
	"owe":        {"owes", "owed", "owing"},
	"person":     {"people", "persons"},
	"child":      {"children"},
	"man":        {"men"},
	"woman":      {"women"},
}
