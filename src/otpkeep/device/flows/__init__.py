"""The backup flows of the product: plain objects over the service client and the vault.

Flows hold no I/O of their own: they ask through a :class:`~otpkeep.device.flows.
context.Prompter`, report through its ``event``, take the clock and ``sleep`` as
parameters, and raise :class:`~otpkeep.errors.OtpkeepError` subclasses. The command
line and the terminal app drive the same flows.
"""
