"""Casework: case management for human-services agencies."""

__version__ = "0.1.0"
