package config

import (
	"strings"
	"testing"
)

func TestMaskedHidesTheDatabasePassword(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://worker:s3cret-pw@db.internal:5432/worker":       "postgres://worker:%2A%2A%2A%2A%2A%2A%2A%2A@db.internal:5432/worker",
		"postgresql://db/worker?password=s3cret-pw&sslmode=require": "postgresql://db/worker?password=%2A%2A%2A%2A%2A%2A%2A%2A&sslmode=require",
		"postgres://worker@db/worker":                               "postgres://worker@db/worker",
		"./data/worker.db":                                          "./data/worker.db",
	} {
		c := Defaults()
		c.Database = in
		got := c.Masked().Database
		if got != want || strings.Contains(got, "s3cret") {
			t.Errorf("Masked().Database of %q = %q, want %q", in, got, want)
		}
	}
}
