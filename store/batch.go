package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/store/simhash"
)

// Batch gathers articles to be recorded together: up to a size, in one
// transaction, each article stored exactly as Record stores it alone and
// on a savepoint of its own, so that one that cannot be stored leaves the
// others. Nothing is stored before its transaction commits: a process
// killed before that has stored none of the batch, and the articles are
// new again on the next pass. A Batch is safe for concurrent use.
type Batch struct {
	s    *Store
	size int

	mu      sync.Mutex
	pending []pendingRecord
}

// pendingRecord is an article waiting in a batch, with the function told
// what became of it.
type pendingRecord struct {
	in   RecordInput
	fp   uint64
	done func(RecordResult, error)
}

// NewBatch returns an empty batch that records whenever size articles are
// waiting (size < 1 is taken as 1).
func (s *Store) NewBatch(size int) *Batch {
	return &Batch{s: s, size: max(size, 1)}
}

// Add queues an article. done is called, once, when the article's
// transaction has committed (or failed), from the goroutine that records
// the batch: the one whose Add filled it, or the one calling Flush. done
// must not wait for another Add or Flush of the same batch.
func (b *Batch) Add(ctx context.Context, in RecordInput, done func(RecordResult, error)) {
	fp, err := prepareRecord(&in)
	if err != nil {
		done(RecordResult{}, err)
		return
	}
	b.mu.Lock()
	b.pending = append(b.pending, pendingRecord{in: in, fp: fp, done: done})
	var full []pendingRecord
	if len(b.pending) >= b.size {
		full, b.pending = b.pending, nil
	}
	b.mu.Unlock()
	if full != nil {
		b.s.recordAll(ctx, full)
	}
}

// Flush records the articles waiting in the batch.
func (b *Batch) Flush(ctx context.Context) {
	b.mu.Lock()
	waiting := b.pending
	b.pending = nil
	b.mu.Unlock()
	if len(waiting) > 0 {
		b.s.recordAll(ctx, waiting)
	}
}

// prepareRecord checks an input and fills in its defaults; it returns the
// fingerprint of the article's text, which is computed (outside any
// transaction) only for an article that reports a development: most do not.
func prepareRecord(in *RecordInput) (uint64, error) {
	if in.Article.URL == "" {
		return 0, fmt.Errorf("record: %w: article has no URL", ErrInvalid)
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	if !slices.ContainsFunc(in.Events, func(e sources.Event) bool { return e.Headline }) {
		return 0, nil
	}
	return simhash.Fingerprint(in.Article.Title + "\n" + in.Article.Text), nil
}

// recordAll stores the articles in one transaction, oldest publication
// first (so the earliest report of a development is the first one it
// sees), and then tells each what became of it.
func (s *Store) recordAll(ctx context.Context, recs []pendingRecord) {
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := recs[i].in.Article.Published, recs[j].in.Article.Published
		if a.IsZero() || b.IsZero() {
			return !a.IsZero() && b.IsZero()
		}
		return a.Before(b)
	})
	results := make([]RecordResult, len(recs))
	errs := make([]error, len(recs))
	err := s.write(ctx, func(tx *sql.Tx) error {
		for i, r := range recs {
			res, err := recordOne(ctx, tx, r.in, r.fp)
			if errors.Is(err, errSavepoint) {
				return err // the transaction is gone: nothing of it stands
			}
			results[i], errs[i] = res, err
		}
		return nil
	})
	for i, r := range recs {
		switch {
		case err != nil:
			r.done(RecordResult{}, fmt.Errorf("record %s: %w", r.in.Article.URL, err))
		case errs[i] != nil:
			r.done(RecordResult{}, fmt.Errorf("record %s: %w", r.in.Article.URL, errs[i]))
		default:
			r.done(results[i], nil)
		}
	}
}

// errSavepoint marks a failure to set, release or roll back to an
// article's savepoint.
var errSavepoint = errors.New("savepoint")

// recordOne stores one article inside a batch's transaction on a savepoint
// of its own: an article that cannot be stored, or is already stored,
// leaves no trace and does not undo the others.
func recordOne(ctx context.Context, tx *sql.Tx, in RecordInput, fp uint64) (RecordResult, error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT article`); err != nil {
		return RecordResult{}, fmt.Errorf("%w: %w", errSavepoint, err)
	}
	res, err := record(ctx, tx, in, fp)
	if err != nil {
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO article`); rerr != nil {
			return RecordResult{}, fmt.Errorf("%w: roll back after %w: %w", errSavepoint, err, rerr)
		}
	}
	if _, rerr := tx.ExecContext(ctx, `RELEASE article`); rerr != nil {
		return RecordResult{}, fmt.Errorf("%w: release: %w", errSavepoint, rerr)
	}
	if errors.Is(err, errDuplicate) {
		return res, nil
	}
	return res, err
}
