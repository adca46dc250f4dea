package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wallwatch/worker/sources"
)

const storylineColumns = `id, pair_a, pair_b, kinds, entities_a, entities_b, day_first, day_last, date_prec`

// storylinesQuery reads the storylines of one pair whose date span comes
// within a range: an index range scan on their last day.
const storylinesQuery = `SELECT ` + storylineColumns + ` FROM storylines
	WHERE pair_a = ? AND pair_b = ? AND day_last >= ? AND day_first <= ?`

// undatedCandidatesQuery reads the storylines of one pair an undated
// report may join, whatever their dates, latest first.
const undatedCandidatesQuery = `SELECT ` + storylineColumns + ` FROM storylines
	WHERE pair_a = ? AND pair_b = ? ORDER BY day_last DESC LIMIT 500`

// undatedStorylinesQuery reads the storylines of one pair that hold
// undated reports only.
const undatedStorylinesQuery = `SELECT ` + storylineColumns + ` FROM storylines
	WHERE pair_a = ? AND pair_b = ? AND day_last = ? AND day_first = ?`

// clusterStoryline finds the stored storyline a headline event reports and
// widens it, or starts a new one, and returns its id. An article reports
// one development of a pair: a later headline event of the article goes
// where its first one went (see articleStoryline). A dated storyline takes
// in the storylines of undated reports of its subject nobody has posted.
func clusterStoryline(ctx context.Context, tx *sql.Tx, articleID int64, p probe, now int64) (int64, error) {
	prior, own, lead, err := articleStoryline(ctx, tx, articleID, p.Pair)
	if err != nil {
		return 0, err
	}
	cands, err := candidates(ctx, tx, articleID, p)
	if err != nil {
		return 0, err
	}
	cands = slices.DeleteFunc(cands, func(c storyline) bool { return c.ID == prior })
	id := rules.pick(p, cands)
	if p.Undated {
		id = rules.pickUndated(p, cands)
	}
	// A later headline event of the kinds of its article's storyline goes
	// with the article's first one, widening nothing; but where the first
	// one started a storyline of its own and the later one reports another
	// that names the first one's product platforms, or that already reads
	// the later one's stage of its platforms, the article moves there: the
	// first one missed it.
	switch {
	case prior == 0 || !sameGroup(ctx, tx, prior, p.Kind):
	case id == 0 || !own:
		return prior, nil
	default:
		x := []storyline{cands[slices.IndexFunc(cands, func(c storyline) bool { return c.ID == id })]}
		if err := loadReads(ctx, tx, x); err != nil {
			return 0, err
		}
		if !rules.namesProduct(x[0], lead) && !rules.readsStage(x[0], p.Pair, p.Stage, p.A, p.B) {
			return prior, nil
		}
		if err := moveArticle(ctx, tx, articleID, prior, id); err != nil {
			return 0, err
		}
	}
	if id != 0 {
		i := slices.IndexFunc(cands, func(c storyline) bool { return c.ID == id })
		s := rules.extend(cands[i], p)
		_, err := tx.ExecContext(ctx, `UPDATE storylines SET kinds = ?, entities_a = ?, entities_b = ?, day_first = ?, day_last = ?, date_prec = ?
			WHERE id = ?`, jsonKinds(s.Kinds), jsonList(s.A), jsonList(s.B), s.First, s.Last, s.Prec, id)
		if err != nil {
			return 0, fmt.Errorf("update storyline %d: %w", id, err)
		}
		return id, absorbUndated(ctx, tx, s, p, now)
	}
	s := rules.newStoryline(p)
	err = tx.QueryRowContext(ctx, `
		INSERT INTO storylines (pair_a, pair_b, kinds, entities_a, entities_b, day_first, day_last, date_prec, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.Pair.A, s.Pair.B, jsonKinds(s.Kinds), jsonList(s.A), jsonList(s.B), s.First, s.Last, s.Prec, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert storyline: %w", err)
	}
	s.ID = id
	return id, absorbUndated(ctx, tx, s, p, now)
}

// candidates reads the stored storylines a headline event may report:
// those within the window of its date, or for an undated one those of its
// pair whatever their dates, with the stages their reports read.
func candidates(ctx context.Context, tx *sql.Tx, articleID int64, p probe) ([]storyline, error) {
	if p.Undated {
		cands, err := queryStorylines(ctx, tx, undatedCandidatesQuery, p.Pair.A, p.Pair.B)
		if err != nil {
			return nil, err
		}
		return cands, loadReads(ctx, tx, cands)
	}
	lo, hi := span(p.Date)
	cands, err := queryStorylines(ctx, tx, storylinesQuery, p.Pair.A, p.Pair.B, lo-rules.WindowDays, hi+rules.WindowDays)
	if err != nil {
		return nil, err
	}
	return cands, loadFingerprints(ctx, tx, p, cands, articleID)
}

// articleStoryline is the storyline of an article's earlier headline
// events of a pair, 0 for none, whether the article alone reports it, and
// the first of those events as a probe (pair and platforms).
func articleStoryline(ctx context.Context, tx *sql.Tx, articleID int64, pair sources.Pair) (id int64, own bool, lead probe, err error) {
	var a, b string
	err = tx.QueryRowContext(ctx, `
		SELECT e.storyline_id, NOT EXISTS (SELECT 1 FROM events x WHERE x.storyline_id = e.storyline_id AND x.article_id != e.article_id),
		       e.entities_a, e.entities_b
		FROM events e WHERE e.article_id = ? AND e.headline = 1 AND e.pair_a = ? AND e.pair_b = ? AND e.storyline_id IS NOT NULL
		ORDER BY e.seq LIMIT 1`, articleID, pair.A, pair.B).Scan(&id, &own, &a, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, probe{}, nil
	}
	if err == nil {
		lead.Pair = pair
		err = errors.Join(json.Unmarshal([]byte(a), &lead.A), json.Unmarshal([]byte(b), &lead.B))
	}
	if err != nil {
		return 0, false, probe{}, fmt.Errorf("read the article's storyline: %w", err)
	}
	return id, own, lead, nil
}

// sameGroup reports whether a storyline's kinds are of a kind's group.
func sameGroup(ctx context.Context, tx *sql.Tx, sid int64, kind sources.Kind) bool {
	var kinds string
	if err := tx.QueryRowContext(ctx, `SELECT kinds FROM storylines WHERE id = ?`, sid).Scan(&kinds); err != nil {
		return false
	}
	var ks []sources.Kind
	if json.Unmarshal([]byte(kinds), &ks) != nil || len(ks) == 0 {
		return false
	}
	return rules.kindGroup(ks[0]) == rules.kindGroup(kind)
}

// moveArticle moves an article's reports from the storyline it alone
// reports to another and drops the one left empty.
func moveArticle(ctx context.Context, tx *sql.Tx, articleID, from, to int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE events SET storyline_id = ?, development_id = NULL WHERE article_id = ? AND storyline_id = ?`,
		to, articleID, from); err != nil {
		return fmt.Errorf("move article %d to storyline %d: %w", articleID, to, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM storylines WHERE id = ?`, from); err != nil {
		return fmt.Errorf("drop storyline %d: %w", from, err)
	}
	return nil
}

// absorbUndated moves into a dated storyline the storylines of undated
// reports of its subject that read the stage of the report that has just
// joined or started it and whose alerts nobody has started to post, so that
// an undated article read before the dated ones ends where it would have
// gone after them.
func absorbUndated(ctx context.Context, tx *sql.Tx, s storyline, p probe, now int64) error {
	if s.undated() {
		return nil
	}
	us, err := queryStorylines(ctx, tx, undatedStorylinesQuery, s.Pair.A, s.Pair.B, undatedDay, undatedDay)
	if err != nil {
		return err
	}
	if err := loadReads(ctx, tx, us); err != nil {
		return err
	}
	for _, u := range us {
		if u.ID == s.ID || !rules.absorbs(s, u, p) {
			continue
		}
		var posted bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM developments d JOIN outbox o ON o.id = d.alert_id
			WHERE d.storyline_id = ? AND (o.state = 'sent' OR o.attempts > 0 OR (o.lease_owner IS NOT NULL AND o.lease_until > ?)))`,
			u.ID, now).Scan(&posted); err != nil {
			return fmt.Errorf("read storyline %d: %w", u.ID, err)
		}
		if posted {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET storyline_id = ?, development_id = NULL WHERE storyline_id = ?`, s.ID, u.ID); err != nil {
			return fmt.Errorf("merge storyline %d: %w", u.ID, err)
		}
		if _, err := replan(ctx, tx, u.ID, time.Unix(now, 0)); err != nil {
			return fmt.Errorf("storyline %d: %w", u.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM storylines WHERE id = ?`, u.ID); err != nil {
			return fmt.Errorf("drop storyline %d: %w", u.ID, err)
		}
	}
	return nil
}

// loadReads reads what the reports of candidate storylines read.
func loadReads(ctx context.Context, tx *sql.Tx, cands []storyline) error {
	if len(cands) == 0 {
		return nil
	}
	idx := map[int64]int{}
	ids := make([]any, len(cands))
	for i, c := range cands {
		idx[c.ID], ids[i] = i, c.ID
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT storyline_id, stage, entities_a, entities_b FROM events
		WHERE headline = 1 AND storyline_id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return fmt.Errorf("read reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sid int64
		var x read
		var a, b string
		if err := rows.Scan(&sid, &x.Stage, &a, &b); err != nil {
			return fmt.Errorf("read reports: %w", err)
		}
		if err := errors.Join(json.Unmarshal([]byte(a), &x.A), json.Unmarshal([]byte(b), &x.B)); err != nil {
			return fmt.Errorf("storyline %d: %w", sid, err)
		}
		c := &cands[idx[sid]]
		c.Reads = append(c.Reads, x)
	}
	return rows.Err()
}

func queryStorylines(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]storyline, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read storylines: %w", err)
	}
	defer rows.Close()
	var out []storyline
	for rows.Next() {
		var s storyline
		var kinds, a, b string
		if err := rows.Scan(&s.ID, &s.Pair.A, &s.Pair.B, &kinds, &a, &b, &s.First, &s.Last, &s.Prec); err != nil {
			return nil, fmt.Errorf("read storylines: %w", err)
		}
		err := errors.Join(json.Unmarshal([]byte(kinds), &s.Kinds), json.Unmarshal([]byte(a), &s.A), json.Unmarshal([]byte(b), &s.B))
		if err != nil {
			return nil, fmt.Errorf("storyline %d: %w", s.ID, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read storylines: %w", err)
	}
	return out, nil
}

// loadFingerprints reads the article fingerprints of the candidates where
// the rule needs them: a year-only date on either side.
func loadFingerprints(ctx context.Context, tx *sql.Tx, p probe, cands []storyline, articleID int64) error {
	idx := map[int64]int{}
	var ids []any
	for i, c := range cands {
		if precision(p.Date) <= precYear || c.Prec <= precYear {
			idx[c.ID] = i
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT DISTINCT e.storyline_id, a.simhash FROM events e JOIN articles a ON a.id = e.article_id
		WHERE e.article_id != ? AND e.storyline_id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`,
		append([]any{articleID}, ids...)...)
	if err != nil {
		return fmt.Errorf("read fingerprints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sid, fp int64
		if err := rows.Scan(&sid, &fp); err != nil {
			return fmt.Errorf("read fingerprints: %w", err)
		}
		c := &cands[idx[sid]]
		c.Fingerprints = append(c.Fingerprints, uint64(fp))
	}
	return rows.Err()
}

// storedStep is a step as stored, with its alert row.
type storedStep struct {
	step
	Date         sources.Date
	AlertID      sql.NullInt64
	AlertArticle int64
}

// replan plans a storyline's steps again after new reports of it were
// recorded and brings its developments, events and outbox rows in line
// with the plan. It returns how many developments it created.
func replan(ctx context.Context, tx *sql.Tx, sid int64, now time.Time) (int, error) {
	var pair sources.Pair
	err := tx.QueryRowContext(ctx, `SELECT pair_a, pair_b FROM storylines WHERE id = ?`, sid).Scan(&pair.A, &pair.B)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // merged into another storyline, which is planned in its place
	}
	if err != nil {
		return 0, fmt.Errorf("read storyline: %w", err)
	}
	reps, err := loadReports(ctx, tx, sid)
	if err != nil {
		return 0, err
	}
	stored, err := loadSteps(ctx, tx, sid, now)
	if err != nil {
		return 0, err
	}
	var committed []step
	for _, st := range stored {
		if st.Committed {
			committed = append(committed, st.step)
		}
	}
	a := applier{tx: tx, sid: sid, pair: pair, reps: reps, stored: stored, now: now.Unix(), touched: map[int64]bool{}}
	return a.apply(ctx, rules.plan(pair, reps, committed))
}

func loadReports(ctx context.Context, tx *sql.Tx, sid int64) ([]report, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT e.id, e.article_id, e.seq, e.stage, e.kind, e.date, e.entities_a, e.entities_b, e.evidence,
		       COALESCE(e.development_id, 0), a.published, a.published_offset, a.recorded_at, a.alert,
		       e.seq = (SELECT min(x.seq) FROM events x WHERE x.article_id = e.article_id AND x.headline = 1)
		FROM events e JOIN articles a ON a.id = e.article_id
		WHERE e.storyline_id = ? AND e.headline = 1`, sid)
	if err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	defer rows.Close()
	var out []report
	for rows.Next() {
		var r report
		var date, ea, eb string
		var pub sql.NullInt64
		var off int
		var recorded int64
		if err := rows.Scan(&r.Event, &r.Article, &r.Seq, &r.Stage, &r.Kind, &date, &ea, &eb, &r.Evidence,
			&r.Dev, &pub, &off, &recorded, &r.Alert, &r.Lead); err != nil {
			return nil, fmt.Errorf("read reports: %w", err)
		}
		var d sources.Date
		if err := decodeDev(&r.A, &r.B, &d, ea, eb, date); err != nil {
			return nil, fmt.Errorf("event %d: %w", r.Event, err)
		}
		published := publishedTime(pub, off)
		rec := time.Unix(recorded, 0).UTC()
		r.Date = eventDate(sources.Event{Date: d}, published, rec)
		r.Undated = published.IsZero() && precision(d) < precDay
		switch {
		case !published.IsZero():
			r.Day, r.Published = dayNumber(sources.DateOf(published)), published.Unix()
		case precision(d) == precDay:
			r.Day = dayNumber(d)
		default:
			r.Day = dayNumber(sources.DateOf(rec))
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func loadSteps(ctx context.Context, tx *sql.Tx, sid int64, now time.Time) ([]storedStep, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT d.id, d.stage, d.step_day, d.date, d.alert_id, COALESCE(o.article_id, 0),
		       CASE WHEN o.state = 'sent' OR o.attempts > 0 OR (o.lease_owner IS NOT NULL AND o.lease_until > ?) THEN 1 ELSE 0 END
		FROM developments d LEFT JOIN outbox o ON o.id = d.alert_id
		WHERE d.storyline_id = ?`, now.Unix(), sid)
	if err != nil {
		return nil, fmt.Errorf("read steps: %w", err)
	}
	defer rows.Close()
	var out []storedStep
	for rows.Next() {
		var s storedStep
		var date string
		if err := rows.Scan(&s.ID, &s.Stage, &s.Day, &date, &s.AlertID, &s.AlertArticle, &s.Committed); err != nil {
			return nil, fmt.Errorf("read steps: %w", err)
		}
		var err error
		if s.Date, err = sources.ParseDate(date); err != nil {
			return nil, fmt.Errorf("development %d: %w", s.ID, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// applier writes one storyline's plan.
type applier struct {
	tx      *sql.Tx
	sid     int64
	pair    sources.Pair
	reps    []report
	stored  []storedStep
	now     int64
	touched map[int64]bool // alert rows whose developments changed
}

func (a *applier) storedStep(id int64) (storedStep, bool) {
	i := slices.IndexFunc(a.stored, func(s storedStep) bool { return s.ID == id })
	if i < 0 {
		return storedStep{}, false
	}
	return a.stored[i], true
}

func (a *applier) apply(ctx context.Context, plan []step) (int, error) {
	created := 0
	var prev sql.NullInt64
	kept := map[int64]bool{}
	for k := range plan {
		st := &plan[k]
		isNew := st.ID == 0
		if err := a.writeStep(ctx, st, prev); err != nil {
			return 0, err
		}
		if isNew {
			created++
		}
		kept[st.ID] = true
		prev = sql.NullInt64{Int64: st.ID, Valid: true}
	}
	if err := a.linkReports(ctx, plan); err != nil {
		return 0, err
	}
	for k := range plan {
		if err := a.announce(ctx, &plan[k]); err != nil {
			return 0, err
		}
	}
	var gone []int64
	for _, s := range a.stored {
		if !kept[s.ID] {
			gone = append(gone, s.ID)
			if s.AlertID.Valid {
				a.touched[s.AlertID.Int64] = true
			}
		}
	}
	for _, id := range gone {
		if _, err := a.tx.ExecContext(ctx, `UPDATE developments SET alert_id = NULL, alert_pos = 0 WHERE id = ?`, id); err != nil {
			return 0, fmt.Errorf("detach development %d: %w", id, err)
		}
	}
	rowIDs := make([]int64, 0, len(a.touched))
	for id := range a.touched {
		rowIDs = append(rowIDs, id)
	}
	slices.Sort(rowIDs)
	for _, id := range rowIDs {
		if err := normalizeAlert(ctx, a.tx, id, a.now); err != nil {
			return 0, err
		}
	}
	for _, id := range gone {
		if err := deleteDevelopment(ctx, a.tx, id); err != nil {
			return 0, err
		}
	}
	return created, nil
}

// writeStep inserts or updates a step's development row: entities of all
// its reports, the most precise date among them (the earliest of those). A
// committed step keeps its stage, kind and evidence, and its date unless a
// report dates it more precisely.
func (a *applier) writeStep(ctx context.Context, st *step, prev sql.NullInt64) error {
	if len(st.Reports) == 0 {
		return nil // a committed step always holds the reports it was made from
	}
	first := a.reps[st.Reports[0]]
	if j := slices.IndexFunc(st.Reports, func(i int) bool { return a.reps[i].Stage == st.Stage }); j >= 0 {
		first = a.reps[st.Reports[j]] // its kind and evidence are the step's
	}
	var ea, eb []string
	date, dated := a.reps[st.Reports[0]].Date, !a.reps[st.Reports[0]].Undated
	if old, ok := a.storedStep(st.ID); ok && st.Committed {
		date, dated = old.Date, true
	}
	for _, i := range st.Reports {
		r := a.reps[i]
		ea = mergeSide(ea, r.A, rules.company(a.pair.A))
		eb = mergeSide(eb, r.B, rules.company(a.pair.B))
		if !r.Undated && (!dated || precision(r.Date) > precision(date)) {
			date, dated = r.Date, true // an undated report's date says nothing
		}
	}
	switch {
	case st.Committed:
		_, err := a.tx.ExecContext(ctx, `UPDATE developments SET entities_a = ?, entities_b = ?, date = ?, date_start = ?, date_prec = ?
			WHERE id = ?`, jsonList(ea), jsonList(eb), date.String(), dayNumber(date), precision(date), st.ID)
		if err != nil {
			return fmt.Errorf("update development %d: %w", st.ID, err)
		}
	case st.ID == 0:
		err := a.tx.QueryRowContext(ctx, `
			INSERT INTO developments (pair_a, pair_b, kind, stage, entities_a, entities_b, date, date_start, date_prec, evidence,
			                          previous_id, storyline_id, step_day, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.pair.A, a.pair.B, string(first.Kind), string(st.Stage), jsonList(ea), jsonList(eb), date.String(), dayNumber(date),
			precision(date), first.Evidence, prev, a.sid, st.Day, a.now).Scan(&st.ID)
		if err != nil {
			return fmt.Errorf("insert development: %w", err)
		}
	default:
		_, err := a.tx.ExecContext(ctx, `
			UPDATE developments SET kind = ?, stage = ?, entities_a = ?, entities_b = ?, date = ?, date_start = ?, date_prec = ?,
			       evidence = ?, previous_id = ?, step_day = ?
			WHERE id = ?`,
			string(first.Kind), string(st.Stage), jsonList(ea), jsonList(eb), date.String(), dayNumber(date), precision(date),
			first.Evidence, prev, st.Day, st.ID)
		if err != nil {
			return fmt.Errorf("update development %d: %w", st.ID, err)
		}
	}
	return nil
}

// linkReports points every report at its step and rebuilds the storyline's
// article links.
func (a *applier) linkReports(ctx context.Context, plan []step) error {
	for _, st := range plan {
		for _, i := range st.Reports {
			if a.reps[i].Dev == st.ID {
				continue
			}
			if _, err := a.tx.ExecContext(ctx, `UPDATE events SET development_id = ? WHERE id = ?`, st.ID, a.reps[i].Event); err != nil {
				return fmt.Errorf("link event %d: %w", a.reps[i].Event, err)
			}
		}
	}
	if _, err := a.tx.ExecContext(ctx, `DELETE FROM article_developments
		WHERE development_id IN (SELECT id FROM developments WHERE storyline_id = ?)`, a.sid); err != nil {
		return fmt.Errorf("unlink articles: %w", err)
	}
	for _, st := range plan {
		for _, i := range st.Reports {
			if _, err := a.tx.ExecContext(ctx, `INSERT INTO article_developments (development_id, article_id) VALUES (?, ?)
				ON CONFLICT DO NOTHING`, st.ID, a.reps[i].Article); err != nil {
				return fmt.Errorf("link article: %w", err)
			}
		}
	}
	return nil
}

// announce gives a step the outbox rows it needs. A step not committed is
// announced by an alert row of one of its articles recorded with alerts on
// (shared with the other developments that article announces): the one it
// has while that article still reports it, else its first such report's;
// a committed step keeps its alert and gains a reply for each new article.
func (a *applier) announce(ctx context.Context, st *step) error {
	old, _ := a.storedStep(st.ID)
	if st.Committed {
		if !old.AlertID.Valid {
			return nil
		}
		for _, i := range st.Reports {
			r := a.reps[i]
			if r.Dev == st.ID || !r.Alert || r.Article == old.AlertArticle {
				continue
			}
			if _, err := a.tx.ExecContext(ctx, `
				INSERT INTO outbox (kind, article_id, development_id, parent_id, next_attempt, created_at)
				VALUES ('reply', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				r.Article, st.ID, old.AlertID.Int64, a.now, a.now); err != nil {
				return fmt.Errorf("insert reply: %w", err)
			}
		}
		return nil
	}
	// The alert row it has stays while its article still reports the step;
	// else the first report recorded with alerts on announces it.
	j := slices.IndexFunc(st.Reports, func(i int) bool { return a.reps[i].Alert && a.reps[i].Article == old.AlertArticle })
	if j < 0 || !old.AlertID.Valid {
		j = slices.IndexFunc(st.Reports, func(i int) bool { return a.reps[i].Alert })
	}
	if old.AlertID.Valid {
		a.touched[old.AlertID.Int64] = true
	}
	if j < 0 {
		if old.AlertID.Valid {
			_, err := a.tx.ExecContext(ctx, `UPDATE developments SET alert_id = NULL, alert_pos = 0 WHERE id = ?`, st.ID)
			return err
		}
		return nil
	}
	r := a.reps[st.Reports[j]]
	row := old.AlertID.Int64
	if !old.AlertID.Valid || old.AlertArticle != r.Article {
		var err error
		if row, err = openAlertRow(ctx, a.tx, r.Article, st.ID, a.now); err != nil {
			return err
		}
		a.touched[row] = true
	}
	if _, err := a.tx.ExecContext(ctx, `UPDATE developments SET alert_id = ?, alert_pos = ? WHERE id = ?`, row, r.Seq, st.ID); err != nil {
		return fmt.Errorf("link alert: %w", err)
	}
	return nil
}

// openAlertRow returns the alert row of an article that nobody has tried
// to post yet, making one when there is none.
func openAlertRow(ctx context.Context, tx *sql.Tx, articleID, devID, now int64) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `
		SELECT id FROM outbox WHERE kind = 'alert' AND article_id = ? AND state = 'pending' AND attempts = 0
		  AND (lease_owner IS NULL OR lease_until <= ?)
		ORDER BY id LIMIT 1`, articleID, now).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("find alert row: %w", err)
	}
	err = tx.QueryRowContext(ctx, `
		INSERT INTO outbox (kind, article_id, development_id, next_attempt, created_at)
		VALUES ('alert', ?, ?, ?, ?) RETURNING id`, articleID, devID, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert alert: %w", err)
	}
	return id, nil
}

// normalizeAlert brings an alert row nobody has posted in line with the
// developments it announces: the first of them is its primary, and every
// other article recorded with alerts on that reports one of them has a
// reply waiting in its thread. A row left announcing nothing is dropped:
// it never reached Slack.
func normalizeAlert(ctx context.Context, tx *sql.Tx, id, now int64) error {
	devs, err := queryIDs(ctx, tx, `SELECT id FROM developments WHERE alert_id = ? ORDER BY alert_pos, id`, id)
	if err != nil {
		return fmt.Errorf("read alert %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE kind = 'reply' AND parent_id = ?`, id); err != nil {
		return fmt.Errorf("drop replies of alert %d: %w", id, err)
	}
	if len(devs) == 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id = ?`, id); err != nil {
			return fmt.Errorf("drop alert %d: %w", id, err)
		}
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET development_id = ? WHERE id = ?`, devs[0], id); err != nil {
		return fmt.Errorf("update alert %d: %w", id, err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO outbox (kind, article_id, development_id, parent_id, next_attempt, created_at)
		SELECT 'reply', ad.article_id,
		       (SELECT d2.id FROM developments d2 JOIN article_developments x ON x.development_id = d2.id
		        WHERE d2.alert_id = :row AND x.article_id = ad.article_id ORDER BY d2.alert_pos, d2.id LIMIT 1),
		       :row, :now, :now
		FROM article_developments ad JOIN developments d ON d.id = ad.development_id JOIN articles a ON a.id = ad.article_id
		WHERE d.alert_id = :row AND a.alert = 1 AND ad.article_id != (SELECT article_id FROM outbox WHERE id = :row)
		GROUP BY ad.article_id
		ON CONFLICT DO NOTHING`, sql.Named("row", id), sql.Named("now", now))
	if err != nil {
		return fmt.Errorf("insert replies of alert %d: %w", id, err)
	}
	return nil
}

// deleteDevelopment drops a step the plan no longer has. Nothing of it was
// posted: its alert row and replies are already gone or moved.
func deleteDevelopment(ctx context.Context, tx *sql.Tx, id int64) error {
	for _, q := range []string{
		`UPDATE developments SET previous_id = NULL WHERE previous_id = ?`,
		`DELETE FROM outbox WHERE kind = 'reply' AND development_id = ? AND state = 'pending' AND attempts = 0`,
		`DELETE FROM article_developments WHERE development_id = ?`,
		`DELETE FROM developments WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("drop development %d: %w", id, err)
		}
	}
	return nil
}

func decodeDev(a, b *[]string, d *sources.Date, ja, jb, date string) error {
	if err := json.Unmarshal([]byte(ja), a); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(jb), b); err != nil {
		return err
	}
	v, err := sources.ParseDate(date)
	*d = v
	return err
}

func jsonKinds(ks []sources.Kind) string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return jsonList(out)
}
