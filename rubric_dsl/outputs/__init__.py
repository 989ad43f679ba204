"""Outputs: the explain ledger, score tables and the bulletins."""
