// Package businesstime counts time the way an SLA clock does: only inside
// working hours, in the team's time zone, skipping holidays. The accept and
// first-touch SLAs, the reminders at half time and the business-time
// columns of the metrics all go through it, so that "4 business hours" means
// the same thing everywhere.
//
// # Working hours and daylight saving time
//
// Working hours are local wall-clock times: "09:00-17:00" opens when the
// clocks in the office show nine. A span's length is the real time that
// elapses between its ends, so on a daylight-saving change day a
// 01:00-03:00 span lasts one real hour (clocks jump from 02:00 to 03:00) or
// three (clocks fall back from 03:00 to 02:00). All durations are real
// elapsed time inside the working spans.
//
// A wall-clock time that a change day skips or shows twice is read as the
// first instant at which the clocks show that time or later: a skipped
// 02:30 is the moment the clocks jump, a doubled 02:30 is its first
// showing. Because one rule maps every wall time to an instant, spans that
// touch ("09:00-12:00,12:00-17:00", or "24:00" and the next day's "00:00")
// stay seamless on change days too.
//
// # Horizon
//
// Holidays can remove every working day for a while (a schedule whose only
// working day is listed as a holiday for years). Add and NextOpen therefore
// look no further than Horizon (ten years) ahead: a due time beyond that is
// reported as t + Horizon, which callers can treat as "never". A schedule
// with no working time at all cannot be built: ParseHours rejects it and the
// zero Hours means "always".
//
// A Calendar is immutable and safe for concurrent use.
package businesstime
