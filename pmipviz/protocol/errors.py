"""Errors raised by the protocol core for malformed input."""


class ProtocolError(ValueError):
    """A message or option that violates RFC 5213 / RFC 6275 (precise text, no traceback)."""
