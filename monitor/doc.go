// Package monitor draws the Concept's monitoring charts and builds the monitoring report.
//
// The figures come from app.Monitoring; the charts are PNG images drawn with
// gonum.org/v1/plot in the embedded DejaVu font (plot's own Liberation fonts
// have no Cyrillic), and the report is an XLSX workbook or a PDF document
// with the figures and the charts. Nothing is changed in the store.
package monitor
