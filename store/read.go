package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/wallwatch/worker/sources"
)

// History is a read-only snapshot of everything stored, arranged for
// reading: developments with their steps, articles and events, and the
// background events that belong to no development.
type History struct {
	// Developments are ordered by ID.
	Developments []DevelopmentHistory
	// Background holds the distinct background events no development
	// covers, oldest first (undated last).
	Background []BackgroundEntry
	// Events holds every stored event, by ID.
	Events []HistoryEvent
	// byID maps each development's ID to its index in Developments.
	byID                 map[int64]int
	platforms, languages []string
}

// DevelopmentHistory is one development as a reader follows it: a
// storyline, with the stored development rows of its stages, and its steps
// in the order they happened.
type DevelopmentHistory struct {
	// ID is the storyline's.
	ID   int64
	Rows []int64 // its development rows, ascending
	Pair sources.Pair
	A, B []string // every entity named on each side, sorted
	// Kind is its first stage's kind; Kinds every kind it was reported as.
	Kind  sources.Kind
	Kinds []sources.Kind
	// Stage and Evidence are those of its latest step.
	Stage    sources.Stage
	Evidence string
	// Date is the first step's date, Updated the latest step's.
	Date, Updated sources.Date
	Steps         []HistoryStep
	// Articles are the articles that reported it, earliest published
	// first (unknown dates last).
	Articles []HistoryArticle
	// Events are its headline events and the background events that
	// retell it, in step order.
	Events []HistoryEvent
}

// HistoryStep is one step of a development (announced, testing, launched,
// expanded, halted), read from its events' stages and dates.
type HistoryStep struct {
	Stage sources.Stage
	// N counts the steps of this stage so far, from 1: a relaunch after a
	// halt is the second launched step.
	N    int
	Date sources.Date
	// Evidence is the sentence of the step's first headline event (of its
	// first event when only retold).
	Evidence string
	// Articles are the step's articles, earliest published first.
	Articles []HistoryArticle
	// Retold is true when only background events tell of the step.
	Retold bool
	// Slack locates the alert that announced the step; nil when none was
	// posted.
	Slack *SlackMessage
	// Recorded is when the step last gained an article.
	Recorded time.Time
}

// SlackMessage locates a posted message.
type SlackMessage struct {
	Channel, TS string
}

// HistoryArticle is a stored article, as a reader sees it.
type HistoryArticle struct {
	ID        int64
	URL       string
	Title     string
	Source    string // the configured source that listed it
	SiteName  string // the outlet, when the page names it
	Lang      string
	Published time.Time // in the page's own offset; zero when unknown
	Recorded  time.Time
}

// HistoryEvent is one stored event with its article.
type HistoryEvent struct {
	ID       int64
	Pair     sources.Pair
	A, B     []string
	Kind     sources.Kind
	Stage    sources.Stage
	Date     sources.Date // as read; zero when unknown
	Headline bool
	Evidence string
	Article  HistoryArticle
	// Development is the ID of the DevelopmentHistory the event reports or
	// retells, 0 for background no development covers.
	Development int64
	// row and storyline are the developments row and the storyline of a
	// headline event.
	row, storyline int64
	// when is the date the event is placed at: its own, or for a headline
	// event without a precise one, its development row's.
	when sources.Date
}

// BackgroundEntry is history retold by articles that no development
// covers: one per distinct subject, stage and date.
type BackgroundEntry struct {
	Pair     sources.Pair
	A, B     []string
	Kind     sources.Kind
	Stage    sources.Stage
	Date     sources.Date // zero when unknown
	Evidence string       // as the first article retold it
	Articles []HistoryArticle
	Events   []HistoryEvent
}

// Development returns the development of ID id.
func (h *History) Development(id int64) (DevelopmentHistory, bool) {
	i, ok := h.byID[id]
	if !ok {
		return DevelopmentHistory{}, false
	}
	return h.Developments[i], true
}

// History reads a snapshot of the stored history in one read transaction.
func (s *Store) History(ctx context.Context) (*History, error) {
	var h *History
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		h, err = readHistory(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return h, nil
}

func readHistory(ctx context.Context, tx *sql.Tx) (*History, error) {
	rows, err := readRows(ctx, tx)
	if err != nil {
		return nil, err
	}
	arts, err := readHistoryArticles(ctx, tx)
	if err != nil {
		return nil, err
	}
	links, err := readArticleLinks(ctx, tx)
	if err != nil {
		return nil, err
	}
	evs, err := readHistoryEvents(ctx, tx, arts)
	if err != nil {
		return nil, err
	}
	return assemble(rows, arts, links, evs), nil
}

// devRow is one stored developments row.
type devRow struct {
	candidate
	Storyline int64
	Evidence  string
	Slack     *SlackMessage
}

func readRows(ctx context.Context, tx *sql.Tx) ([]devRow, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT id, COALESCE(storyline_id, 0), pair_a, pair_b, kind, stage, entities_a, entities_b, date, evidence,
		       COALESCE(channel, ''), COALESCE(ts, '')
		FROM developments ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read developments: %w", err)
	}
	defer rows.Close()
	var out []devRow
	for rows.Next() {
		var r devRow
		var a, b, date, channel, ts string
		if err := rows.Scan(&r.ID, &r.Storyline, &r.Pair.A, &r.Pair.B, &r.Kind, &r.Stage, &a, &b, &date, &r.Evidence,
			&channel, &ts); err != nil {
			return nil, fmt.Errorf("read developments: %w", err)
		}
		if err := decodeDev(&r.A, &r.B, &r.Date, a, b, date); err != nil {
			return nil, fmt.Errorf("development %d: %w", r.ID, err)
		}
		if ts != "" {
			r.Slack = &SlackMessage{Channel: channel, TS: ts}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read developments: %w", err)
	}
	return out, nil
}

// readHistoryArticles reads the articles that hold events or report a
// development (articles without either are of no interest here).
func readHistoryArticles(ctx context.Context, tx *sql.Tx) (map[int64]HistoryArticle, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT id, url, title, source, site_name, lang, published, published_offset, recorded_at FROM articles
		WHERE id IN (SELECT article_id FROM events UNION SELECT article_id FROM article_developments)`)
	if err != nil {
		return nil, fmt.Errorf("read articles: %w", err)
	}
	defer rows.Close()
	out := map[int64]HistoryArticle{}
	for rows.Next() {
		var a HistoryArticle
		var pub sql.NullInt64
		var off int
		var rec int64
		if err := rows.Scan(&a.ID, &a.URL, &a.Title, &a.Source, &a.SiteName, &a.Lang, &pub, &off, &rec); err != nil {
			return nil, fmt.Errorf("read articles: %w", err)
		}
		a.Published = publishedTime(pub, off)
		a.Recorded = time.Unix(rec, 0).UTC()
		out[a.ID] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read articles: %w", err)
	}
	return out, nil
}

// readArticleLinks reads which articles report which development row.
func readArticleLinks(ctx context.Context, tx *sql.Tx) (map[int64][]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT development_id, article_id FROM article_developments ORDER BY development_id, article_id`)
	if err != nil {
		return nil, fmt.Errorf("read article links: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var dev, art int64
		if err := rows.Scan(&dev, &art); err != nil {
			return nil, fmt.Errorf("read article links: %w", err)
		}
		out[dev] = append(out[dev], art)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read article links: %w", err)
	}
	return out, nil
}

func readHistoryEvents(ctx context.Context, tx *sql.Tx, arts map[int64]HistoryArticle) ([]HistoryEvent, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT id, article_id, pair_a, pair_b, entities_a, entities_b, kind, stage, date, headline, evidence,
		       COALESCE(development_id, 0), COALESCE(storyline_id, 0)
		FROM events ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var out []HistoryEvent
	lists := listMemo{}
	for rows.Next() {
		var e HistoryEvent
		var articleID int64
		var a, b, date string
		if err := rows.Scan(&e.ID, &articleID, &e.Pair.A, &e.Pair.B, &a, &b, &e.Kind, &e.Stage, &date, &e.Headline,
			&e.Evidence, &e.row, &e.storyline); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		if e.A, err = lists.decode(a); err != nil {
			return nil, fmt.Errorf("event %d: %w", e.ID, err)
		}
		if e.B, err = lists.decode(b); err != nil {
			return nil, fmt.Errorf("event %d: %w", e.ID, err)
		}
		if e.Date, err = sources.ParseDate(date); err != nil {
			return nil, fmt.Errorf("event %d: %w", e.ID, err)
		}
		e.Article = arts[articleID]
		e.when = e.Date
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// sortArticles orders articles earliest published first, unknown dates
// last, then by ID.
func sortArticles(as []HistoryArticle) {
	slices.SortFunc(as, func(a, b HistoryArticle) int {
		if a.Published.IsZero() != b.Published.IsZero() {
			if a.Published.IsZero() {
				return 1
			}
			return -1
		}
		if c := a.Published.Compare(b.Published); c != 0 {
			return c
		}
		return cmpInt(a.ID, b.ID)
	})
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// listMemo decodes the JSON entity lists of many rows, most of them alike,
// once each. The lists it returns are shared: read-only.
type listMemo map[string][]string

func (m listMemo) decode(js string) ([]string, error) {
	if l, ok := m[js]; ok {
		return l, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(js), &l); err != nil {
		return nil, err
	}
	m[js] = l
	return l, nil
}
