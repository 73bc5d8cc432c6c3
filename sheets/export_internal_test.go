package sheets

// Parse exposes the format detection and parsing of outside bytes to the
// fuzz target in package sheets_test.
func Parse(data []byte) (header []string, rows [][]string, err error) {
	s, err := parse(data)
	return s.header, s.rows, err
}
