package worker

import (
	"context"
	"time"

	"github.com/wallwatch/worker/sources"
	"github.com/wallwatch/worker/sources/detect"
	"github.com/wallwatch/worker/sources/fetch"
)

// Preview is what one listed item would produce.
type Preview struct {
	Item    sources.Item
	Article sources.Article
	Events  []sources.Event
	Err     error // the page could not be fetched or parsed
}

// PreviewSource lists one source now and fetches, parses and detects every
// item, writing nothing anywhere: `worker sources test`.
func PreviewSource(ctx context.Context, s Source, client *fetch.Client, det *detect.Detector,
	loc *time.Location, since, now time.Time) ([]Preview, error) {
	listing, err := s.List(ctx, sources.ListRequest{Since: since})
	if err != nil && len(listing.Items) == 0 {
		return nil, err
	}
	out := make([]Preview, len(listing.Items))
	for i, it := range listing.Items {
		out[i].Item = it
		a, aerr := fetchArticle(ctx, client, loc, s.URL, it)
		if aerr != nil {
			out[i].Err = aerr
			continue
		}
		out[i].Article = a
		out[i].Events = det.Detect(a, now)
	}
	return out, err
}
