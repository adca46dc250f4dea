package store

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/wallwatch/worker/sources"
)

//go:embed storyline.yaml
var storylineYAML []byte

// storylineRules are the windows, kind groups, company names and lifecycle
// the storyline rule works with (storyline.yaml).
type storylineRules struct {
	WindowDays    int64                             `yaml:"window_days"`
	NewsCycleDays int64                             `yaml:"news_cycle_days"`
	KindGroups    map[string][]sources.Kind         `yaml:"kind_groups"`
	Companies     map[string]string                 `yaml:"companies"`
	Forward       map[sources.Stage][]sources.Stage `yaml:"forward"`
	Lifecycle     []sources.Stage                   `yaml:"lifecycle"`
	ProductSide   string                            `yaml:"product_side"`

	group map[sources.Kind]string // kind → its group
}

// rules are the shipped storyline rules.
var rules = mustRules(storylineYAML)

func mustRules(b []byte) *storylineRules {
	r, err := parseRules(b)
	if err != nil {
		panic(err) // the embedded file is part of the binary: a bad one is a build mistake
	}
	return r
}

// parseRules reads and checks storyline rules.
func parseRules(b []byte) (*storylineRules, error) {
	var r storylineRules
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("storyline rules: %w", err)
	}
	if r.WindowDays <= 0 {
		return nil, fmt.Errorf("storyline rules: window_days: want a positive number of days, got %d", r.WindowDays)
	}
	if r.NewsCycleDays < 0 {
		return nil, fmt.Errorf("storyline rules: news_cycle_days: want 0 or more days, got %d", r.NewsCycleDays)
	}
	r.group = map[sources.Kind]string{}
	for g, kinds := range r.KindGroups {
		for _, k := range kinds {
			if !slices.Contains(sources.Kinds, k) {
				return nil, fmt.Errorf("storyline rules: kind_groups.%s: unknown kind %q", g, k)
			}
			if other, ok := r.group[k]; ok {
				return nil, fmt.Errorf("storyline rules: kind_groups: %q is in both %s and %s", k, other, g)
			}
			r.group[k] = g
		}
	}
	for _, k := range sources.Kinds {
		if _, ok := r.group[k]; !ok {
			return nil, fmt.Errorf("storyline rules: kind_groups: kind %q is in no group", k)
		}
	}
	for from, tos := range r.Forward {
		if !slices.Contains(sources.Stages, from) {
			return nil, fmt.Errorf("storyline rules: forward: unknown stage %q", from)
		}
		for _, to := range tos {
			if !slices.Contains(sources.Stages, to) || to == from {
				return nil, fmt.Errorf("storyline rules: forward.%s: %q is not another known stage", from, to)
			}
		}
	}
	if _, ok := r.Companies[r.ProductSide]; r.ProductSide != "" && !ok {
		return nil, fmt.Errorf("storyline rules: product_side: %q is no side named under companies", r.ProductSide)
	}
	for _, st := range sources.Stages {
		if !slices.Contains(r.Lifecycle, st) {
			r.Lifecycle = append(r.Lifecycle, st) // unnamed stages rank last
		}
	}
	for _, st := range r.Lifecycle {
		if !slices.Contains(sources.Stages, st) {
			return nil, fmt.Errorf("storyline rules: lifecycle: unknown stage %q", st)
		}
	}
	return &r, nil
}

// kindGroup is the group of a kind; kinds of one group may report one
// development.
func (r *storylineRules) kindGroup(k sources.Kind) string {
	if g, ok := r.group[k]; ok {
		return g
	}
	return "kind:" + string(k) // a kind the rules do not know groups with itself only
}

// forward reports whether a report at stage to moves a step at stage from
// on in the lifecycle.
func (r *storylineRules) forward(from, to sources.Stage) bool {
	return slices.Contains(r.Forward[from], to)
}

// company is the company-only name of a side, "" when the rules name none.
func (r *storylineRules) company(side string) string { return r.Companies[side] }
