package demo

import (
	"sync/atomic"
	"time"

	"kruzhok/app"
)

// Clock is a clock that Build can move: open the store with
// store.Options{Now: clock.Now} and pass the same clock in Options.Clock, and
// the records carry the dates they would have had in a real autumn (children
// registered in August, contracts made before they start, months closed on
// the 1st). The zero Clock tells the real time.
type Clock struct {
	fixed atomic.Int64 // Unix nanoseconds; 0 = the real time
}

// Now is the clock's current time; safe for concurrent use.
func (c *Clock) Now() time.Time {
	if n := c.fixed.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Now()
}

// set moves the clock to noon of d in Moscow, but never past the real time:
// the demo writes nothing dated in the future.
func (c *Clock) set(d app.Date) {
	y, m, dd := d.Parts()
	t := time.Date(y, m, dd, 12, 0, 0, 0, moscow)
	if now := time.Now(); t.After(now) {
		t = now
	}
	c.fixed.Store(t.UnixNano())
}

// reset puts the clock back on real time.
func (c *Clock) reset() { c.fixed.Store(0) }

var moscow = time.FixedZone("MSK", 3*3600)
