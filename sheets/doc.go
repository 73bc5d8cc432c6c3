// Package sheets reads and writes Kruzhok's registries as XLSX and CSV.
package sheets
