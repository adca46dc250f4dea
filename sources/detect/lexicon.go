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

//go:embed lexicon.yaml
var lexiconYAML []byte

// Lexicon knows the watched pairs of companies and every name of their
// entities. A Lexicon is immutable; Extend returns a new one.
//
// Names follow the conventions of the shipped lexicon.yaml: the first entity
// of a side is the company itself; Latin names match case-insensitively on
// word boundaries; a name starting with "=" matches only with exactly that
// case; a name starting with "~" is generic and counts only next to another
// name of the same side (same or previous paragraph), or, with "+" as well,
// also right next to a word of a kind (ads, links, payment: "在朋友圈投放广告");
// a name starting with "!" is a stop phrase: a longer phrase that keeps a
// name inside it from matching (大麦茶 is not Damai).
type Lexicon struct {
	watches []sources.Watch
}

// WatchError reports an invalid watch definition: which watch, side and
// entity, and what is wrong with it.
type WatchError struct {
	Watch   string // watch name, or "#i" when the name is missing
	Side    string // side key; "" when the problem is the watch itself
	Entity  string // entity name; "" when the problem is the side or watch
	Problem string
}

// Error names the watch, side and entity.
func (e *WatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "watch %q", e.Watch)
	if e.Side != "" {
		fmt.Fprintf(&b, ": side %q", e.Side)
	}
	if e.Entity != "" {
		fmt.Fprintf(&b, ": entity %q", e.Entity)
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	return b.String()
}

var defaultLexicon = sync.OnceValue(func() *Lexicon {
	var ws []sources.Watch
	if err := yaml.Unmarshal(lexiconYAML, &ws); err != nil {
		panic(fmt.Sprintf("detect: embedded lexicon.yaml: %v", err))
	}
	l, err := (&Lexicon{}).Extend(ws)
	if err != nil {
		panic(fmt.Sprintf("detect: embedded lexicon.yaml: %v", err))
	}
	return l
})

// DefaultLexicon is the shipped Alibaba–Tencent lexicon (the embedded
// lexicon.yaml, in the shape of sources.Watch).
func DefaultLexicon() *Lexicon { return defaultLexicon() }

// Extend returns a lexicon with ws merged in. A watch whose Name exists adds
// entities and aliases to its sides, matched by side key (an existing entity
// name gains aliases); a new Name adds a whole other pair of companies.
// Invalid input — an empty name, key or alias, a side key the watch does not
// have or two sides with one key, an alias claimed by two entities — is a
// *WatchError naming the watch, side and entity. l itself is not changed.
func (l *Lexicon) Extend(ws []sources.Watch) (*Lexicon, error) {
	out := &Lexicon{watches: cloneWatches(l.watches)}
	for i, w := range ws {
		name := strings.TrimSpace(w.Name)
		if name == "" {
			return nil, &WatchError{Watch: fmt.Sprintf("#%d", i), Problem: "name is empty"}
		}
		target, err := out.watch(name, w)
		if err != nil {
			return nil, err
		}
		m := newMerge(target)
		for _, s := range w.Sides {
			if err := m.side(s); err != nil {
				return nil, err
			}
		}
		for _, sd := range target.Sides {
			if len(sd.Entities) == 0 {
				return nil, &WatchError{Watch: name, Side: sd.Key, Problem: "no entities"}
			}
		}
	}
	return out, nil
}

// watch returns the watch of that name, added with w's side keys when the
// lexicon has none.
func (l *Lexicon) watch(name string, w sources.Watch) (*sources.Watch, error) {
	if at := slices.IndexFunc(l.watches, func(x sources.Watch) bool { return x.Name == name }); at >= 0 {
		return &l.watches[at], nil
	}
	nw := sources.Watch{Name: name}
	for j, s := range w.Sides {
		key := strings.TrimSpace(s.Key)
		if key == "" {
			return nil, &WatchError{Watch: name, Problem: fmt.Sprintf("side %d has no key", j+1)}
		}
		nw.Sides[j].Key = key
	}
	if strings.EqualFold(nw.Sides[0].Key, nw.Sides[1].Key) {
		return nil, &WatchError{Watch: name, Side: nw.Sides[1].Key, Problem: "both sides have the same key"}
	}
	l.watches = append(l.watches, nw)
	return &l.watches[len(l.watches)-1], nil
}

// merge adds entities and aliases to a watch, knowing who owns each name
// already: a new name may not go to two entities.
type merge struct {
	target *sources.Watch
	owners map[string][2]string // folded name → side key, entity name
}

func newMerge(target *sources.Watch) *merge {
	m := &merge{target: target, owners: map[string][2]string{}}
	for _, sd := range target.Sides {
		for _, e := range sd.Entities {
			for _, n := range append([]string{e.Name}, e.Aliases...) {
				m.owners[aliasKey(n)] = [2]string{sd.Key, e.Name}
			}
		}
	}
	return m
}

func (m *merge) claim(side, entity, name string) error {
	key := aliasKey(name)
	if prev, ok := m.owners[key]; ok && prev != [2]string{side, entity} {
		return &WatchError{Watch: m.target.Name, Side: side, Entity: entity, Problem: fmt.Sprintf(
			"name %q is already a name of entity %q on side %q", name, prev[1], prev[0])}
	}
	m.owners[key] = [2]string{side, entity}
	return nil
}

// side merges the entities of one side of an extension.
func (m *merge) side(s sources.Side) error {
	key := strings.TrimSpace(s.Key)
	if key == "" && len(s.Entities) == 0 {
		return nil // an extension may name one side only
	}
	si := slices.IndexFunc(m.target.Sides[:], func(x sources.Side) bool { return strings.EqualFold(x.Key, key) })
	if si < 0 {
		return &WatchError{Watch: m.target.Name, Side: key, Problem: fmt.Sprintf(
			"no such side: the watch has sides %q and %q", m.target.Sides[0].Key, m.target.Sides[1].Key)}
	}
	side := &m.target.Sides[si]
	for _, e := range s.Entities {
		if err := m.entity(side, e); err != nil {
			return err
		}
	}
	return nil
}

// entity merges one entity and its aliases into a side.
func (m *merge) entity(side *sources.Side, e sources.Entity) error {
	en := strings.TrimSpace(e.Name)
	if en == "" {
		return &WatchError{Watch: m.target.Name, Side: side.Key, Problem: "an entity has no name"}
	}
	ei := slices.IndexFunc(side.Entities, func(x sources.Entity) bool { return strings.EqualFold(x.Name, en) })
	if ei < 0 {
		if err := m.claim(side.Key, en, en); err != nil {
			return err
		}
		side.Entities = append(side.Entities, sources.Entity{Name: en})
		ei = len(side.Entities) - 1
	}
	ent := &side.Entities[ei]
	for _, a := range e.Aliases {
		a = strings.TrimSpace(a)
		if parseAlias(a).text == "" {
			return &WatchError{Watch: m.target.Name, Side: side.Key, Entity: ent.Name, Problem: fmt.Sprintf("alias %q is empty", a)}
		}
		if err := m.claim(side.Key, ent.Name, a); err != nil {
			return err
		}
		if !slices.Contains(ent.Aliases, a) {
			ent.Aliases = append(ent.Aliases, a)
		}
	}
	return nil
}

// Watches returns a copy of the lexicon's watches.
func (l *Lexicon) Watches() []sources.Watch { return cloneWatches(l.watches) }

func cloneWatches(ws []sources.Watch) []sources.Watch {
	out := make([]sources.Watch, len(ws))
	for i, w := range ws {
		out[i].Name = w.Name
		for j, s := range w.Sides {
			out[i].Sides[j].Key = s.Key
			out[i].Sides[j].Entities = make([]sources.Entity, len(s.Entities))
			for k, e := range s.Entities {
				out[i].Sides[j].Entities[k] = sources.Entity{Name: e.Name, Aliases: slices.Clone(e.Aliases)}
			}
		}
	}
	return out
}

// alias is one name of an entity as written in a lexicon.
type alias struct {
	text  string // the name without its markers
	weak  bool   // "~": needs another name of the same side nearby
	exact bool   // "=": case-sensitive
	near  bool   // "+": a generic name that also counts next to a word of a kind (ads, links, payment)
	stop  bool   // "!": not a name of the entity: a longer phrase that keeps a name inside it from matching
}

func parseAlias(s string) alias {
	var a alias
	s = strings.TrimSpace(s)
	for len(s) > 0 {
		switch s[0] {
		case '~':
			a.weak = true
		case '=':
			a.exact = true
		case '+':
			a.near = true
		case '!':
			a.stop = true
		default:
			a.text = strings.TrimSpace(s)
			return a
		}
		s = s[1:]
	}
	return a
}

// aliasKey is the folded form two names clash on.
func aliasKey(s string) string { return foldString(parseAlias(s).text) }
