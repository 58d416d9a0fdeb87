"""Whence: who really sent a mail, how it travelled, and where its links really go."""

__version__ = "0.1.0"
