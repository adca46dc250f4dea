package detect

import "slices"

// matcher is an Aho–Corasick automaton over bytes. It is built as a trie
// with failure links (the root and the states with many edges have full
// rows; the others a sorted run of edges), then compiled into a transition
// table over byte classes — every byte that occurs in a pattern is a class,
// all others share class 0 — so that scanning costs one table read per byte.
type matcher struct {
	states []acState
	edges  []acEdge
	rows   []int32 // while building: full rows of 256 goto targets (-1: none)
	plen   []int32 // pattern lengths

	class  [256]uint16
	nclass int
	delta  []uint16 // state*nclass + class → state, when there are at most 65536 states
	delta4 []uint32 // the same for bigger automata
	emits  []bool   // whether a pattern ends at the state or on its failure chain
}

type acState struct {
	first, last int32 // edges[first:last], while building
	row         int32 // start of the state's full row in rows, or -1
	fail        int32
	out         int32 // pattern ending at the state, or -1
	dict        int32 // nearest state on the failure chain with a pattern, or -1
}

type acEdge struct {
	b  byte
	to int32
}

// States with more edges than this get a full row.
const denseEdges = 6

// newMatcher compiles the patterns; duplicates must have been removed.
func newMatcher(patterns []string) *matcher {
	children := [][]acEdge{nil}
	out := []int32{-1}
	m := &matcher{plen: make([]int32, len(patterns))}
	for pid, p := range patterns {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			nx := int32(-1)
			for _, e := range children[s] {
				if e.b == p[i] {
					nx = e.to
					break
				}
			}
			if nx < 0 {
				nx = int32(len(children))
				children = append(children, nil)
				out = append(out, -1)
				children[s] = append(children[s], acEdge{p[i], nx})
			}
			s = nx
		}
		out[s] = int32(pid)
		m.plen[pid] = int32(len(p))
	}
	m.states = make([]acState, len(children))
	for s, es := range children {
		slices.SortFunc(es, func(a, b acEdge) int { return int(a.b) - int(b.b) })
		st := &m.states[s]
		st.first = int32(len(m.edges))
		m.edges = append(m.edges, es...)
		st.last = int32(len(m.edges))
		st.out = out[s]
		st.row = -1
		if s == 0 || len(es) > denseEdges {
			st.row = int32(len(m.rows))
			row := make([]int32, 256)
			for i := range row {
				row[i] = -1
				if s == 0 {
					row[i] = 0 // the root stays at the root
				}
			}
			for _, e := range es {
				row[e.b] = e.to
			}
			m.rows = append(m.rows, row...)
		}
	}
	m.states[0].dict = -1
	// Breadth-first, so a state's failure target is known before its children.
	queue := make([]int32, 0, len(children))
	for _, e := range children[0] {
		queue = append(queue, e.to)
	}
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		f := m.states[s].fail
		if f != 0 && m.states[f].out >= 0 {
			m.states[s].dict = f
		} else {
			m.states[s].dict = m.states[f].dict
		}
		for _, e := range children[s] {
			if s != 0 {
				m.states[e.to].fail = m.step(f, e.b)
			}
			queue = append(queue, e.to)
		}
	}
	m.compile(append([]int32{0}, queue...))
	m.rows, m.edges = nil, nil // only building needs them
	return m
}

// compile fills the transition table, visiting states breadth-first so
// that a state's failure target has its row before the state does.
func (m *matcher) compile(order []int32) {
	used := [256]bool{}
	for _, e := range m.edges {
		used[e.b] = true
	}
	m.nclass = 1
	for b := 0; b < 256; b++ {
		if used[b] {
			m.class[b] = uint16(m.nclass)
			m.nclass++
		}
	}
	n := len(m.states)
	nc := m.nclass
	m.emits = make([]bool, n)
	for i, st := range m.states {
		m.emits[i] = st.out >= 0 || st.dict >= 0
	}
	rows := make([]uint32, n*nc)
	for _, s := range order {
		st := m.states[s]
		row := rows[int(s)*nc : int(s+1)*nc]
		if s != 0 {
			copy(row, rows[int(st.fail)*nc:int(st.fail+1)*nc])
		}
		for _, e := range m.edges[st.first:st.last] {
			row[m.class[e.b]] = uint32(e.to)
		}
	}
	if n <= 1<<16 {
		m.delta = make([]uint16, len(rows))
		for i, v := range rows {
			m.delta[i] = uint16(v)
		}
	} else {
		m.delta4 = rows
	}
}

// step returns the state after reading b in state s, following failure
// links.
func (m *matcher) step(s int32, b byte) int32 {
	for {
		st := &m.states[s]
		if st.row >= 0 {
			if nx := m.rows[st.row+int32(b)]; nx >= 0 {
				return nx
			}
		} else {
			for _, e := range m.edges[st.first:st.last] {
				if e.b == b {
					return e.to
				}
				if e.b > b {
					break
				}
			}
		}
		s = st.fail
	}
}

// scan calls fn for every occurrence of every pattern in s, with the byte
// span of the occurrence.
func (m *matcher) scan(s string, fn func(start, end int, pid int32)) {
	if m.delta != nil {
		scanRows(m, m.delta, s, fn)
	} else {
		scanRows(m, m.delta4, s, fn)
	}
}

// scanRows is scan over one width of transition table.
func scanRows[T uint16 | uint32](m *matcher, delta []T, s string, fn func(start, end int, pid int32)) {
	nc := m.nclass
	class := &m.class
	emits := m.emits
	state := 0
	for i := 0; i < len(s); i++ {
		state = int(delta[state*nc+int(class[s[i]])])
		if !emits[state] {
			continue
		}
		m.emit(state, i+1, fn)
	}
}

// emit calls fn for every pattern that ends at end in state.
func (m *matcher) emit(state, end int, fn func(start, end int, pid int32)) {
	for t := int32(state); t > 0; t = m.states[t].dict {
		if p := m.states[t].out; p >= 0 {
			fn(end-int(m.plen[p]), end, p)
		}
	}
}

// next returns the state after reading b in state s.
func (m *matcher) next(s int, b byte) int {
	if m.delta != nil {
		return int(m.delta[s*m.nclass+int(m.class[b])])
	}
	return int(m.delta4[s*m.nclass+int(m.class[b])])
}
