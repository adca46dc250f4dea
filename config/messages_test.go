package config

import (
	"errors"
	"strings"
	"testing"
)

// feed is a valid one-source list to append to a test config.
const feed = "sources:\n  - {name: wire, url: 'https://news.example/feed.xml', type: feed}\n"

func TestConfigErrorsSayWhatAndWhere(t *testing.T) {
	tests := map[string]struct {
		yaml string
		env  map[string]string
		want []string
		hide []string
	}{
		"bad duration names its key": {
			yaml: "alerts:\n  max_age: 3 weeks\n" + feed,
			want: []string{"alerts.max_age", "line 2", `"3 weeks"`, "7d"},
		},
		"bad duration in a list": {
			yaml: "http:\n  timeout: fast\n" + feed,
			want: []string{"http.timeout", `"fast"`},
		},
		"url without a scheme is shown as written": {
			yaml: "sources:\n  - {name: wire, url: 'news.example/feed.xml', type: feed}\n",
			want: []string{"sources[0].url", `"news.example/feed.xml"`, "http or https"},
			hide: []string{`":…"`},
		},
		"url credentials and query stay hidden": {
			yaml: "sources:\n  - {name: wire, url: 'ftp://user:pAsS@news.example/feed.xml?key=sEcReT', type: feed}\n",
			want: []string{"sources[0].url", `"ftp://…@news.example/feed.xml?…"`},
			hide: []string{"pAsS", "sEcReT"},
		},
		"unset variable emptying a required field": {
			yaml: "database: ${WORKER_DB_PATH}\n" + feed,
			want: []string{"database", "required", "${WORKER_DB_PATH} is not set"},
		},
		"unset variable emptying a source url": {
			yaml: "sources:\n  - {name: wire, url: '${FEED_URL}', type: feed}\n",
			want: []string{"sources[0].url", "${FEED_URL} is not set"},
		},
		"webhook url in token": {
			yaml: "slack:\n  token: https://hooks.example/services/x/y/z\n  channel: C1\n" + feed,
			want: []string{"slack.token", "slack.webhook_url"},
			hide: []string{"hooks.example"},
		},
		"double @ in a selector": {
			yaml: "sources:\n  - name: list\n    url: https://news.example/\n    type: html\n    selectors: {item: li, link: 'a@@href'}\n",
			want: []string{"sources[0].selectors.link", `"a@@href"`, "attribute name"},
		},
		"empty sources": {
			yaml: "sources: []\n",
			want: []string{"sources", "line 1", "empty list"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("w.yaml", []byte(tc.yaml), envOf(tc.env))
			if err == nil {
				t.Fatalf("accepted:\n%s", tc.yaml)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v: not ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			for _, h := range tc.hide {
				if strings.Contains(err.Error(), h) {
					t.Errorf("error %q shows %q", err, h)
				}
			}
		})
	}
}

func TestAttributeSelectorsStillWork(t *testing.T) {
	y := "sources:\n  - name: list\n    url: https://news.example/\n    type: html\n    selectors: {item: li, link: 'a@href', date: 'time@datetime'}\n"
	if _, err := Parse("w.yaml", []byte(y), envOf(nil)); err != nil {
		t.Fatal(err)
	}
}
