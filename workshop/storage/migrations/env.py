"""Alembic environment: always run with a connection handed over by Database.upgrade()."""

from alembic import context

from workshop.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through Database.upgrade()
    raise RuntimeError("run migrations through `workshop db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
