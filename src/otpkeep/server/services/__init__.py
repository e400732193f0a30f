"""The service's use cases: each takes a transaction and plain values, and returns messages."""
