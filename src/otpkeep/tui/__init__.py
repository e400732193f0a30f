"""The terminal app (``otpkeep tui``): :func:`otpkeep.tui.app.make_app` wires it."""
