"""The scoring engine: a checked rubric compiled into event handlers, tallies, item evaluation and scorecards."""
