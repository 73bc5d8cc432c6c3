//go:build !unix

package bench

// cpuSeconds is not measured where there is no getrusage: 0.
func cpuSeconds() float64 { return 0 }
