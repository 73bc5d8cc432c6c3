package assets

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"kruzhok/app"
)

//go:embed municipalities.json
var municipalitiesJSON []byte

//go:embed directions.json
var directionsJSON []byte

type munFile struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Types []struct {
		From string `json:"from"`
		Type string `json:"type"`
	} `json:"types"`
}

type dirFile struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Municipalities returns the 33 municipalities of Stavropol Krai with their dated legal types.
func Municipalities() []app.Municipality {
	var in []munFile
	if err := json.Unmarshal(municipalitiesJSON, &in); err != nil {
		panic(fmt.Sprintf("assets: municipalities.json: %v", err))
	}
	out := make([]app.Municipality, 0, len(in))
	for _, m := range in {
		mu := app.Municipality{Code: m.Code, Name: m.Name}
		for _, t := range m.Types {
			mu.Types = append(mu.Types, app.DatedType{From: app.MustDate(t.From), Type: t.Type})
		}
		out = append(out, mu)
	}
	return out
}

// Directions returns the six directions (направленности).
func Directions() []app.Direction {
	var in []dirFile
	if err := json.Unmarshal(directionsJSON, &in); err != nil {
		panic(fmt.Sprintf("assets: directions.json: %v", err))
	}
	out := make([]app.Direction, 0, len(in))
	for _, d := range in {
		out = append(out, app.Direction{Code: d.Code, Name: d.Name})
	}
	return out
}

// PeriodOf returns the programme year (1 September … 31 August) containing d.
func PeriodOf(d app.Date) app.Period {
	y, m, _ := d.Parts()
	if m < time.September {
		y--
	}
	return app.Period{ID: fmt.Sprintf("%d-%d", y, y+1),
		Start: app.NewDate(y, time.September, 1), End: app.NewDate(y+1, time.August, 31)}
}

// Seed is the command that loads the reference data into an empty region
// database, with the period containing today as current and the following as next.
func Seed(today app.Date) *app.SeedRegion {
	cur := PeriodOf(today)
	next := PeriodOf(cur.End.AddDays(1))
	return &app.SeedRegion{Municipalities: Municipalities(), Directions: Directions(),
		Periods: []app.Period{cur, next}, Current: cur.ID, Next: next.ID, PriceCapPct: 100}
}
