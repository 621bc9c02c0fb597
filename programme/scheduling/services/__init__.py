"""Scheduling rules, split by topic: scope and cohorts, generation and session changes, closures,
facilitators (profiles, passes, availability), conflict checks and assignment, calendars, logs."""
