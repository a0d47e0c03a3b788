"""The rules of a workshop, in plain Python (no Flask, no Socket.IO, no SQL)."""
