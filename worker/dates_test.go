package worker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wallwatch/worker/alerts"
	"github.com/wallwatch/worker/worker"
)

func TestAPageDatedInTheFutureIsClampedToTheFetchTime(t *testing.T) {
	mux := http.NewServeMux()
	conditionalFeed(mux, "/a/future.html")
	mux.HandleFunc("/a/future.html", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Taobao starts accepting WeChat Pay</title>
<meta property="article:published_time" content="2099-12-31T23:30:00+08:00"></head><body><article>
<h1>Taobao starts accepting WeChat Pay</h1>
<p>Alibaba's Taobao now lets shoppers pay with Tencent's WeChat Pay at checkout, the company said.</p>
<p>The option is available to all users after an update this week.</p></article></body></html>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	clk := newClock()
	out := &strings.Builder{}
	w := workerOn(t, openStore(t), alerts.NewWriter(out, alerts.FormatJSON), func(c *worker.Config) { c.Now = clk.Now }, srv.URL+"/feed.xml")
	rep, err := w.RunOnce(context.Background(), worker.RunOptions{})
	if err != nil || rep.Sources[0].Articles != 1 {
		t.Fatalf("run: %+v, %v", rep.Sources, err)
	}
	if !strings.Contains(out.String(), "/a/future.html") {
		t.Fatalf("the story was not alerted:\n%s", out)
	}
	if strings.Contains(out.String(), "2099") || strings.Contains(out.String(), "2100") {
		t.Errorf("the alert carries the future date:\n%s", out)
	}
	if today := clk.Now().UTC().Format("2006-01-02"); !strings.Contains(out.String(), today) {
		t.Errorf("the alert is not dated on the fetch day %s:\n%s", today, out)
	}
}
