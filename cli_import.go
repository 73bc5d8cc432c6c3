package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"kruzhok/sheets"
)

func init() {
	register("import", "  kruzhok import children|programmes --file ФАЙЛ [--skip-bad] [--municipality КОД] [--data ФАЙЛ]\n"+
		"                                загрузить детей или программы из таблицы XLSX или CSV (до 20 МБ,\n"+
		"                                столбцы — docs/IMPORT.md); при ошибке в любой строке не загружается\n"+
		"                                ничего, с --skip-bad — только верные строки; отчёт по строкам\n", cmdImport)
}

// cmdImport loads children or programmes from a table file through the app's
// commands and prints the row-by-row report.
func cmdImport(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "children" && args[0] != "programmes") {
		fmt.Fprintln(stderr, "kruzhok import: укажите, что загрузить: children или programmes")
		return exitUsage
	}
	kind := args[0]
	name := "import " + kind
	flags, _ := newFlags(name, stderr)
	file := flags.String("file", "", "таблица XLSX или CSV")
	skipBad := flags.Bool("skip-bad", false, "загрузить верные строки, даже если в других ошибки")
	mun := flags.String("municipality", "", "муниципалитет всех детей (код или название), если в таблице нет столбца «Муниципалитет»")
	if !parse(flags, args[1:], stderr) {
		return exitUsage
	}
	if *file == "" {
		fmt.Fprintf(stderr, "kruzhok %s: укажите --file ФАЙЛ\n", name)
		return exitUsage
	}
	if *mun != "" && kind != "children" {
		fmt.Fprintf(stderr, "kruzhok %s: --municipality — только для children\n", name)
		return exitUsage
	}
	fi, err := os.Stat(*file)
	if err != nil {
		return fail(stderr, name, err)
	}
	if fi.Size() > sheets.MaxFileSize { // refused before it is read
		return fail(stderr, name, sheets.ErrTooLarge)
	}
	in, err := os.Open(*file)
	if err != nil {
		return fail(stderr, name, err)
	}
	defer in.Close()
	db, _, code := openExisting(name, flags, stderr)
	if db == nil {
		return code
	}
	defer db.Close()
	opt := sheets.ImportOptions{SkipBad: *skipBad, Municipality: *mun}
	var rep sheets.Report
	if kind == "children" {
		rep, err = sheets.ImportChildren(db, in, opt)
	} else {
		rep, err = sheets.ImportProgrammes(db, in, opt)
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, p)
	}
	if err != nil && !errors.Is(err, sheets.ErrBadRows) {
		return fail(stderr, name, err)
	}
	bad := map[int]bool{}
	for _, p := range rep.Problems {
		bad[p.Row] = true
	}
	fmt.Fprintf(stdout, "Строк: %d, загружено: %d, с ошибками: %d\n", rep.Rows, rep.Imported, len(bad))
	if err != nil {
		return fail(stderr, name, err)
	}
	return exitOK
}
