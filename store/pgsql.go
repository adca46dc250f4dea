package store

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The store's queries are written once, in SQLite's dialect. pgQuery
// translates one for PostgreSQL: placeholders (?, ?NNN, :name) become $n
// with the arguments in that order, and the few SQLite functions the
// queries use become their PostgreSQL equivalents (two-argument max and min,
// json_each, strftime('%s', …) with unixepoch modifiers, CAST AS INTEGER
// to a 64-bit integer).

// argRef is where one PostgreSQL argument $n comes from: a positional
// argument (its 1-based ordinal) or a named one.
type argRef struct {
	ordinal int
	name    string
}

// pgQuery is a query translated for PostgreSQL.
type pgQuery struct {
	sql  string
	refs []argRef // refs[n-1] feeds $n
}

// args orders the arguments database/sql bound for the SQLite query as the
// translated query wants them.
func (q pgQuery) args(in []driver.NamedValue) ([]driver.NamedValue, error) {
	out := make([]driver.NamedValue, len(q.refs))
	for i, r := range q.refs {
		found := false
		for _, a := range in {
			if (r.name != "" && a.Name == r.name) || (r.name == "" && a.Name == "" && a.Ordinal == r.ordinal) {
				out[i] = driver.NamedValue{Ordinal: i + 1, Value: a.Value}
				found = true
				break
			}
		}
		if !found {
			if r.name != "" {
				return nil, fmt.Errorf("query needs argument :%s, which was not given", r.name)
			}
			return nil, fmt.Errorf("query needs argument %d, which was not given", r.ordinal)
		}
	}
	return out, nil
}

// translate turns a query in SQLite's dialect into PostgreSQL's.
func translate(query string) (pgQuery, error) {
	t := &translator{src: query, named: map[string]int{}, ordinals: map[int]int{}}
	out, err := t.span(0, len(query))
	if err != nil {
		return pgQuery{}, fmt.Errorf("translate query for PostgreSQL: %w", err)
	}
	return pgQuery{sql: out, refs: t.refs}, nil
}

type translator struct {
	src      string
	refs     []argRef
	named    map[string]int // name → $n
	ordinals map[int]int    // ordinal → $n
	maxOrd   int
}

// span translates src[from:to].
func (t *translator) span(from, to int) (string, error) {
	var b strings.Builder
	s := t.src
	for i := from; i < to; {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			j := quotedEnd(s, i, to)
			b.WriteString(s[i:j])
			i = j
		case c == '-' && i+1 < to && s[i+1] == '-':
			j := strings.IndexByte(s[i:to], '\n')
			if j < 0 {
				j = to - i
			}
			b.WriteString(s[i : i+j])
			i += j
		case c == '?':
			j := i + 1
			for j < to && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			ord := t.maxOrd + 1
			if j > i+1 {
				ord, _ = strconv.Atoi(s[i+1 : j])
			}
			t.maxOrd = max(t.maxOrd, ord)
			b.WriteString(t.positional(ord))
			i = j
		case c == ':' && i+1 < to && s[i+1] == ':':
			b.WriteString("::")
			i += 2
		case (c == ':' || c == '@') && i+1 < to && isIdentStart(s[i+1]):
			j := identEnd(s, i+1, to)
			b.WriteString(t.name(s[i+1 : j]))
			i = j
		case isIdentStart(c):
			j := identEnd(s, i, to)
			word := s[i:j]
			k := skipSpace(s, j, to)
			if k < to && s[k] == '(' {
				out, next, err := t.call(word, k, to)
				if err != nil {
					return "", err
				}
				b.WriteString(out)
				i = next
				continue
			}
			if strings.EqualFold(word, "INTEGER") {
				word = "BIGINT"
			}
			b.WriteString(word)
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

func (t *translator) positional(ord int) string {
	n, ok := t.ordinals[ord]
	if !ok {
		t.refs = append(t.refs, argRef{ordinal: ord})
		n = len(t.refs)
		t.ordinals[ord] = n
	}
	return "$" + strconv.Itoa(n)
}

func (t *translator) name(name string) string {
	n, ok := t.named[name]
	if !ok {
		t.refs = append(t.refs, argRef{name: name})
		n = len(t.refs)
		t.named[name] = n
	}
	return "$" + strconv.Itoa(n)
}

// call translates the call of function fn whose "(" is at open; next is
// the index after its ")".
func (t *translator) call(fn string, open, to int) (out string, next int, err error) {
	closing, commas, err := callArgs(t.src, open, to)
	if err != nil {
		return "", 0, fmt.Errorf("%s(: %w", fn, err)
	}
	var args []string
	start := open + 1
	for _, c := range append(commas, closing) {
		a, err := t.span(start, c)
		if err != nil {
			return "", 0, err
		}
		args = append(args, strings.TrimSpace(a))
		start = c + 1
	}
	next = closing + 1
	switch strings.ToLower(fn) {
	case "max":
		if len(args) > 1 {
			return "GREATEST(" + strings.Join(args, ", ") + ")", next, nil
		}
	case "min":
		if len(args) > 1 {
			return "LEAST(" + strings.Join(args, ", ") + ")", next, nil
		}
	case "json_each":
		return "json_array_elements_text(CAST(" + args[0] + " AS json))", next, nil
	case "strftime":
		out, err := strftime(args)
		return out, next, err
	}
	return fn + "(" + strings.Join(args, ", ") + ")", next, nil
}

// strftime translates strftime('%s', time, modifiers…): unix seconds.
func strftime(args []string) (string, error) {
	if len(args) < 2 || args[0] != "'%s'" {
		return "", fmt.Errorf("strftime(%s): only the format '%%s' is translated", strings.Join(args, ", "))
	}
	if args[1] == "'now'" && len(args) == 2 {
		return "CAST(extract(epoch FROM now()) AS BIGINT)", nil
	}
	if len(args) < 3 || args[2] != "'unixepoch'" {
		return "", fmt.Errorf("strftime(%s): only 'now' and unix seconds are translated", strings.Join(args, ", "))
	}
	ts := "(to_timestamp(" + args[1] + ") AT TIME ZONE 'UTC')"
	for _, m := range args[3:] {
		v := strings.Trim(m, "'")
		if len(v) < 2 || (v[0] != '+' && v[0] != '-') {
			return "", fmt.Errorf("strftime modifier %s: only +N unit and -N unit are translated", m)
		}
		ts = "(" + ts + " " + v[:1] + " interval '" + strings.TrimSpace(v[1:]) + "')"
	}
	return "CAST(extract(epoch FROM " + ts + ") AS BIGINT)", nil
}

// callArgs finds the ")" closing the "(" at open and the top-level commas
// between them.
func callArgs(s string, open, to int) (closing int, commas []int, err error) {
	depth := 0
	for i := open; i < to; i++ {
		switch s[i] {
		case '\'', '"':
			i = quotedEnd(s, i, to) - 1
		case '-':
			if i+1 < to && s[i+1] == '-' {
				if j := strings.IndexByte(s[i:to], '\n'); j >= 0 {
					i += j
				} else {
					i = to
				}
			}
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i, commas, nil
			}
		case ',':
			if depth == 1 {
				commas = append(commas, i)
			}
		}
	}
	return 0, nil, fmt.Errorf("unbalanced parentheses")
}

// quotedEnd is the index after the quoted string or identifier at i (” and
// "" inside are escapes).
func quotedEnd(s string, i, to int) int {
	q := s[i]
	for j := i + 1; j < to; j++ {
		if s[j] == q {
			if j+1 < to && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return to
}

func isIdentStart(c byte) bool { return c == '_' || unicode.IsLetter(rune(c)) }

func identEnd(s string, i, to int) int {
	for i < to && (s[i] == '_' || s[i] == '.' || unicode.IsLetter(rune(s[i])) || unicode.IsDigit(rune(s[i]))) {
		i++
	}
	return i
}

func skipSpace(s string, i, to int) int {
	for i < to && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}
