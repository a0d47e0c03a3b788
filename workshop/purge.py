"""``workshop purge``: enforce every workshop's retention period now, and say what was erased.

``workshop serve`` and the WSGI entry point purge when they start, and a running
server purges every ``PURGE_INTERVAL`` seconds (workshop/web/maintenance.py);
this command is for a cron job, or to check before an audit.
"""

from __future__ import annotations

import click

from .commands import _, _app, _service


@click.command()
def purge():
    """Erase the personal data of workshops past their retention period (retention_days)."""
    expired = _service(_app()).purge_expired()
    for code in expired:
        click.echo(_("retention period over: personal data of %(workshop)s erased", workshop=code))
    if not expired:
        click.echo(_("nothing to erase: no workshop is past its retention period"))
