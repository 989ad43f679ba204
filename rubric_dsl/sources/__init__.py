"""Event sources: readers that yield events with their places, and the rejected-record writer."""
