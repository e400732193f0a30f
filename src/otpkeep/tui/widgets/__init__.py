"""Widgets of the terminal app: the header, an account's row, the countdown bar, fields."""
