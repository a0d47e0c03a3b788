"""Console entry point ``workshop``.

Only this module knows the async server: for ``workshop serve`` it applies
eventlet's monkey patching *before* anything else is imported (as eventlet
requires), then hands over to the click commands in ``commands.py``.  Use
``--async-mode threading`` (or gevent, if installed) to run the same app
without eventlet.
"""

from __future__ import annotations

import sys


def _requested_async_mode(argv: list[str]) -> str | None:
    if len(argv) < 2 or argv[1] != "serve":
        return None
    for i, arg in enumerate(argv):
        if arg == "--async-mode" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--async-mode="):
            return arg.split("=", 1)[1]
    return "eventlet"


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    mode = _requested_async_mode(argv)
    if mode == "eventlet":
        import warnings

        with warnings.catch_warnings():
            # The project's owner chose eventlet; its deprecation notice is for new projects.
            warnings.simplefilter("ignore")  # EventletDeprecationWarning is its own Warning subclass
            import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        try:
            from gevent import monkey
        except ImportError:
            sys.exit("workshop serve --async-mode gevent: gevent is not installed (pip install gevent, or the [production] extra)")
        monkey.patch_all()
    from .commands import cli

    cli.main(args=argv[1:], prog_name="workshop")


if __name__ == "__main__":  # pragma: no cover
    main()
