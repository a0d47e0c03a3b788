"""workshop — a self-hosted, real-time engine for live collective-intelligence workshops."""

__version__ = "0.1.0"


def create_app(*args, **kwargs):
    """Build the Flask app (imported lazily so the domain stays importable without Flask)."""
    from .app import create_app as _create_app

    return _create_app(*args, **kwargs)
