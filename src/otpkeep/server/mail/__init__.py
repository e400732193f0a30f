"""The service's mail: an outbox table written in the caller's transaction, and a sender.

- :mod:`~otpkeep.server.mail.templates` renders the messages people receive;
- :mod:`~otpkeep.server.mail.outbox` holds the ``outbox_messages`` table and the
  statements that enqueue, claim and settle its rows;
- :mod:`~otpkeep.server.mail.mailer` is the ``Mailer`` role, with a file, an SMTP and an
  in-memory implementation;
- :mod:`~otpkeep.server.mail.sender` drains the outbox: an in-process thread by default,
  ``otpkeep-server worker`` at scale.
"""
