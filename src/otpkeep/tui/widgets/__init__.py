"""Widgets of the terminal app: the header, the account list, fields."""
