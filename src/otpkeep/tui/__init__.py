"""The terminal app: :func:`otpkeep.tui.app.make_app` wires it."""
