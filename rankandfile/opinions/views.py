"""Pages of conversations and their opinion maps."""

from __future__ import annotations
