"""Thin adapters: HTTP pages, Socket.IO events and the one broadcaster."""
