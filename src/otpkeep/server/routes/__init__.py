"""The HTTP routes: thin functions that parse, call one use case and answer."""
