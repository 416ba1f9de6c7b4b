// Package routing decides who gets a handoff that arrives without an
// assignee, and says why.
//
// A rules file (ROUTING_FILE, YAML) lists rules in order; the first whose
// conditions hold for a lead takes it and sends it to a pool of people, or
// to a named person, with an optional fallback. A pool shares its leads by
// a smooth weighted round-robin, skipping people who are deactivated, away,
// at a cap or (if the rule asks) outside their working hours. An account's
// owner can be offered the lead first.
//
// The package is pure: it reads no clock, database or Slack. The caller
// passes a Snapshot (the time, people's status, the pools' stored rotation
// State) and stores the State that comes back, in the transaction that
// holds the lock on those pools' rows; that lock is all replicas need to
// decide as one process would. docs/routing.md describes the file format
// and the fairness rules for the people who write the file.
package routing
