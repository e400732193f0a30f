"""The service's mail: an outbox table written in the caller's transaction, and a sender.

- :mod:`~otpkeep.server.mail.templates` renders the messages people receive;
- :mod:`~otpkeep.server.mail.outbox` renders a message and adds it to the outbox (the
  ``outbox_messages`` table and its statements are in :mod:`otpkeep.server.db.outbox`);
- :mod:`~otpkeep.server.mail.mailer` is the ``Mailer`` role, with a file, an SMTP and an
  in-memory implementation;
- :mod:`~otpkeep.server.mail.sender` drains the outbox: an in-process thread by default,
  ``otpkeep-server worker`` at scale.
"""
