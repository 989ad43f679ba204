"""Event sources: one reader module per place events are kept, all yielding (event, Place) pairs."""
