package flows

import "time"

// ClockTime is t as a person reads it on this machine: the local clock
// time, with the date when it is not today's (a token that expires
// tomorrow at 09:00 must not read as "at 09:00").
func ClockTime(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04:05")
}
