package jobs

import "testing"

// UseControlTCP switches the control point to Windows' loopback TCP with a
// token for the rest of test t, so Linux runs exercise that transport too.
func UseControlTCP(t *testing.T) {
	old := controlTCP
	controlTCP = true
	t.Cleanup(func() { controlTCP = old })
}
