package progress

import (
	"strings"
	"testing"
)

func TestLogLinesGoAboveTheStatus(t *testing.T) {
	var term, stdout strings.Builder
	d := New(&term, func() int { return 20 })
	d.Set("sources 1/3")
	if _, err := d.Write([]byte("level=INFO msg=one\n")); err != nil {
		t.Fatal(err)
	}
	d.Set("sources 2/3")
	if _, err := d.Above(&stdout).Write([]byte("alert without newline")); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := d.Write([]byte("after\n")); err != nil {
		t.Fatal(err)
	}
	want := "\r\x1b[Ksources 1/3" + "\r\x1b[K" + "level=INFO msg=one\n" + "\r\x1b[Ksources 1/3" +
		"\r\x1b[Ksources 2/3" + "\r\x1b[K" + "\r\x1b[Ksources 2/3" + "\r\x1b[K" + "after\n"
	if term.String() != want {
		t.Errorf("terminal got\n%q\nwant\n%q", term.String(), want)
	}
	if stdout.String() != "alert without newline\n" {
		t.Errorf("standard output got %q", stdout.String())
	}
}

func TestStatusFitsOneRow(t *testing.T) {
	var term strings.Builder
	d := New(&term, func() int { return 10 })
	d.Set("科技日报 page\x1b[31m 12345")
	if got, want := term.String(), "\r\x1b[K科技日报 "; got != want {
		t.Errorf("got %q, want %q (9 columns, wide characters taking two, no controls)", got, want)
	}
}
