"""Unguessable public tokens for QR codes and tracking links."""

import secrets


def new_public_token() -> str:
    """A URL-safe token with 128 bits of randomness (22 characters)."""
    return secrets.token_urlsafe(16)
