package web

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/wallwatch/worker/store"
)

// fragments keeps the rendered HTML of each timeline entry of one History
// snapshot: a page then joins ready fragments, and an entry is rendered once
// per change of the database rather than once per request.
type fragments struct {
	mu sync.Mutex
	h  *store.History
	m  map[any]template.HTML // by *store.DevelopmentHistory or *store.BackgroundEntry of h
}

// item returns the fragment of a timeline item of h.
func (f *fragments) item(h *store.History, it store.TimelineItem) (template.HTML, error) {
	var key any = it.Development
	if it.Development == nil {
		key = it.Background
	}
	f.mu.Lock()
	if f.h != h {
		f.h, f.m = h, map[any]template.HTML{}
	}
	html, ok := f.m[key]
	f.mu.Unlock()
	if ok {
		return html, nil
	}
	var b bytes.Buffer
	var err error
	if it.Development != nil {
		err = templates().ExecuteTemplate(&b, "timeline-development", newDevelopmentView(it.Development, false))
	} else {
		err = templates().ExecuteTemplate(&b, "timeline-background", newBackgroundView(it.Background))
	}
	if err != nil {
		return "", err
	}
	// The fragment is the output of html/template: escaped for an HTML text
	// context, which is where the page places it.
	html = template.HTML(b.String())
	f.mu.Lock()
	if f.h == h {
		f.m[key] = html
	}
	f.mu.Unlock()
	return html, nil
}
