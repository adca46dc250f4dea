package detect

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/wallwatch/worker/sources"
)

//go:embed cues.yaml
var cuesYAML []byte

// class is a set of cue classes (the sections of cues.yaml) and of the
// features derived from them; a frame's features are one class set.
type class uint64

// The cue classes of cues.yaml, then the derived features of a frame.
const (
	cPredicate class = 1 << iota
	cWeakPredicate
	cFull
	cNow
	cPlanned
	cConsulted
	cRumoured
	cAsked
	cToVerb
	cTrial
	cSome
	cBatches
	cHalt
	cNoLonger
	cUndo
	cExpand
	cNeg
	cBarrier
	cSpeculative
	cCould
	cCond
	cQuestion
	cDirective
	cLegal
	cCompete
	cHistory
	cHistoryWeak
	cRecent
	cContrast
	cMutual
	cAlso
	cExclude
	cChannel
	cThirdParty
	cReported
	cSomeWord
	cUsers
	cSkipLine
	cNeutral
	cDenial
	cUnrestrict
	cJoin
	cAsk
	cFriction
	cEach
	// Derived features.
	fNegated
	fHedged
	fListOnly
	fCompaniesOnly
	fDenied
	fBorrowed
)

// classNames names the classes as cues.yaml does.
var classNames = map[string]class{
	"predicate": cPredicate, "weak_predicate": cWeakPredicate, "full": cFull, "now": cNow,
	"planned": cPlanned, "consulted": cConsulted, "rumoured": cRumoured, "asked": cAsked, "to_verb": cToVerb,
	"trial": cTrial, "some": cSome, "batches": cBatches, "halt": cHalt, "no_longer": cNoLonger, "undo": cUndo,
	"expand": cExpand, "neg": cNeg, "barrier": cBarrier, "speculative": cSpeculative, "could": cCould,
	"cond": cCond, "question": cQuestion, "directive": cDirective, "legal": cLegal, "compete": cCompete,
	"history": cHistory, "history_weak": cHistoryWeak, "recent": cRecent, "contrast": cContrast,
	"mutual": cMutual, "also": cAlso, "exclude": cExclude, "channel": cChannel, "third_party": cThirdParty,
	"reported": cReported, "some_word": cSomeWord, "users": cUsers, "skip_line": cSkipLine, "neutral": cNeutral,
	"negated": fNegated, "hedged": fHedged, "list_only": fListOnly, "companies_only": fCompaniesOnly, "denied": fDenied, "borrowed": fBorrowed, "denial": cDenial, "unrestrict": cUnrestrict, "join": cJoin, "ask": cAsk,
	"friction": cFriction, "each": cEach,
}

// Kind word tiers: how strongly a word says what a clause is about.
var tierNames = map[string]int8{"weak": 1, "normal": 2, "strong": 3}

// cue is what a matched cue phrase means.
type cue struct {
	kind sources.Kind
	tier int8 // strength of the kind: 0 none, 1 weak … 3 strong
	cls  class
}

func (c *cue) merge(o cue) {
	if o.tier > c.tier {
		c.kind, c.tier = o.kind, o.tier
	}
	c.cls |= o.cls
}

// The kinds and stages, short.
const (
	kPayment     = sources.KindPayment
	kAdvertising = sources.KindAdvertising
	kLinks       = sources.KindLinks
	kMiniProgram = sources.KindMiniProgram
	kWorkplace   = sources.KindWorkplace
	kLogistics   = sources.KindLogistics
	kData        = sources.KindData

	kAnnounced = sources.StageAnnounced
	kTesting   = sources.StageTesting
	kLaunched  = sources.StageLaunched
	kExpanded  = sources.StageExpanded
	kHalted    = sources.StageHalted
)

// stageRule is a row of the decision table.
type stageRule struct {
	all, none class
	stage     sources.Stage // "" for none: not an event
	why       string
}

// anchor is the kind an entity implies by itself (WeChat Pay → payment).
type anchor struct {
	kind  sources.Kind
	tier  int8
	ofApp bool // what its app stands for when the kind is said of the app
}

// vocab is cues.yaml compiled.
type vocab struct {
	phrases    map[string]cue // folded phrase (with "*" for a stem) → meaning
	words      map[string][]string
	abbrev     map[string]bool // words["abbreviations"], for lookups
	ownerNouns map[string]bool // words["owner_nouns"]
	// words["infinitive_governors"]
	infinitiveGovernors map[string]bool
	table               []stageRule
	merge               map[sources.Stage]int // lower wins
	// restricts: what a test must say to win over a launch in one sentence.
	restricts class
	// fullWins: what makes a launch win over a test it merges with.
	fullWins class
	// titleWins: the stages a title keeps for its development.
	titleWins []sources.Stage
	anchors   map[string]anchor
}

type vocabFile struct {
	Stages []struct {
		If     []string `yaml:"if"`
		Unless []string `yaml:"unless"`
		Stage  string   `yaml:"stage"`
		Why    string   `yaml:"why"`
	} `yaml:"stages"`
	Merge     []string `yaml:"merge"`
	Restricts []string `yaml:"merge_restricts"`
	FullWins  []string `yaml:"merge_full"`
	TitleWins []string `yaml:"title_wins"`
	Anchors   map[string]struct {
		Kind  string `yaml:"kind"`
		Weak  bool   `yaml:"weak"`
		OfApp bool   `yaml:"of_app"`
	} `yaml:"anchors"`
	Languages map[string]struct {
		Kinds map[string]map[string][]string `yaml:"kinds"`
		Cues  map[string][]string            `yaml:"cues"`
		Words map[string][]string            `yaml:"words"`
	} `yaml:"languages"`
}

var defaultVocab = sync.OnceValue(func() *vocab {
	v, err := parseVocab(cuesYAML)
	if err != nil {
		panic(fmt.Sprintf("detect: embedded cues.yaml: %v", err))
	}
	return v
})

// parseVocab compiles a cue file; an unknown class, kind, tier or stage is
// an error naming it.
func parseVocab(b []byte) (*vocab, error) {
	var f vocabFile
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	v := &vocab{phrases: map[string]cue{}, words: map[string][]string{}, merge: map[sources.Stage]int{}, anchors: map[string]anchor{}}
	langs := make([]string, 0, len(f.Languages))
	for l := range f.Languages {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	for _, l := range langs {
		if err := v.addLanguage(l, f.Languages[l].Kinds, f.Languages[l].Cues, f.Languages[l].Words); err != nil {
			return nil, err
		}
	}
	v.abbrev, v.ownerNouns = wordSet(v.words["abbreviations"]), wordSet(v.words["owner_nouns"])
	v.infinitiveGovernors = wordSet(v.words["infinitive_governors"])
	if err := v.addStages(&f); err != nil {
		return nil, err
	}
	for name, a := range f.Anchors {
		k := sources.Kind(a.Kind)
		if !slices.Contains(sources.Kinds, k) {
			return nil, fmt.Errorf("anchors: %s: unknown kind %q", name, a.Kind)
		}
		an := anchor{kind: k, tier: 2, ofApp: a.OfApp}
		if a.Weak {
			an.tier = 1
		}
		v.anchors[name] = an
	}
	return v, nil
}

// addStages compiles the decision table and the merge order.
func (v *vocab) addStages(f *vocabFile) error {
	var err error
	for i, r := range f.Stages {
		row := stageRule{stage: sources.Stage(r.Stage), why: r.Why}
		if r.Stage == "none" {
			row.stage = ""
		} else if !slices.Contains(sources.Stages, row.stage) {
			return fmt.Errorf("stages[%d]: unknown stage %q", i, r.Stage)
		}
		if row.all, err = classSet(r.If); err != nil {
			return fmt.Errorf("stages[%d].if: %w", i, err)
		}
		if row.none, err = classSet(r.Unless); err != nil {
			return fmt.Errorf("stages[%d].unless: %w", i, err)
		}
		v.table = append(v.table, row)
	}
	for i, s := range f.Merge {
		if !slices.Contains(sources.Stages, sources.Stage(s)) {
			return fmt.Errorf("merge[%d]: unknown stage %q", i, s)
		}
		v.merge[sources.Stage(s)] = i
	}
	for i, st := range f.TitleWins {
		if !slices.Contains(sources.Stages, sources.Stage(st)) {
			return fmt.Errorf("title_wins[%d]: unknown stage %q", i, st)
		}
		v.titleWins = append(v.titleWins, sources.Stage(st))
	}
	if v.restricts, err = classSet(f.Restricts); err != nil {
		return fmt.Errorf("merge_restricts: %w", err)
	}
	if v.fullWins, err = classSet(f.FullWins); err != nil {
		return fmt.Errorf("merge_full: %w", err)
	}
	return nil
}

func classSet(names []string) (class, error) {
	var c class
	for _, n := range names {
		x, ok := classNames[n]
		if !ok {
			return 0, fmt.Errorf("unknown class %q", n)
		}
		c |= x
	}
	return c, nil
}

func (v *vocab) addLanguage(lang string, kinds map[string]map[string][]string, cues, words map[string][]string) error {
	add := func(w string, c cue) {
		w = strings.TrimSpace(w)
		if w == "" {
			return
		}
		stem := strings.HasSuffix(w, "*")
		key := foldString(strings.TrimSuffix(w, "*"))
		if stem {
			key += "*"
		}
		old := v.phrases[key]
		old.merge(c)
		v.phrases[key] = old
	}
	for k, tiers := range kinds {
		kind := sources.Kind(k)
		if !slices.Contains(sources.Kinds, kind) {
			return fmt.Errorf("languages.%s.kinds: unknown kind %q", lang, k)
		}
		for t, ws := range tiers {
			tier, ok := tierNames[t]
			if !ok {
				return fmt.Errorf("languages.%s.kinds.%s: unknown tier %q", lang, k, t)
			}
			for _, w := range ws {
				add(w, cue{kind: kind, tier: tier})
			}
		}
	}
	for name, ws := range cues {
		c, ok := classNames[name]
		if !ok || c >= fNegated {
			return fmt.Errorf("languages.%s.cues: unknown class %q", lang, name)
		}
		for _, w := range ws {
			add(w, cue{cls: c})
		}
	}
	inheritPredicates(v.phrases)
	for name, ws := range words {
		for _, w := range ws {
			// "open…close" pairs keep their parts apart.
			parts := strings.Split(w, "…")
			for i := range parts {
				parts[i] = foldString(parts[i])
			}
			v.words[name] = append(v.words[name], strings.Join(parts, "\x00"))
		}
	}
	return nil
}

// inheritPredicates makes a Latin phrase of a kind that holds a connecting
// word a connecting phrase too ("join meetings", "pay with"): the longest
// match would otherwise hide the verb inside it.
func inheritPredicates(phrases map[string]cue) {
	for key, c := range phrases {
		if c.cls != 0 || c.tier == 0 || !strings.Contains(key, " ") {
			continue
		}
		for w := range strings.FieldsSeq(key) {
			if phrases[w].cls&cPredicate != 0 {
				c.cls |= cPredicate
				phrases[key] = c
				break
			}
		}
	}
}

// decide returns the stage of a frame's features, "" for none, and the
// row that decided.
func (v *vocab) decide(f class) (sources.Stage, int) {
	for i, r := range v.table {
		if f&r.all == r.all && f&r.none == 0 {
			return r.stage, i
		}
	}
	return "", -1
}

// hasPrefixWord reports whether s starts with one of the words of list,
// followed by a word boundary for Latin words.
func (v *vocab) hasPrefixWord(list, s string) bool {
	for _, w := range v.words[list] {
		if strings.HasPrefix(s, w) && (len(s) == len(w) || !isAlnum(w[len(w)-1]) || !isAlnum(s[len(w)])) {
			return true
		}
	}
	return false
}

// hasSuffixWord reports whether s ends with one of the words of list.
func (v *vocab) hasSuffixWord(list, s string) bool {
	for _, w := range v.words[list] {
		if strings.HasSuffix(s, w) && (len(s) == len(w) || !isAlnum(w[0]) || !isAlnum(s[len(s)-len(w)-1])) {
			return true
		}
	}
	return false
}

// featNames lists the names of the classes in f, for messages.
func (v *vocab) featNames(f class) string {
	var out []string
	for name, c := range classNames {
		if f&c != 0 {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func wordSet(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
