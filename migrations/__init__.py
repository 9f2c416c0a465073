"""Alembic migrations of the newsclean database, shipped inside the package.

``scraper.storage`` finds this directory through ``__file__`` and runs the
migrations in code; ``alembic.ini`` here is only for developers writing a new
revision (``alembic -c migrations/alembic.ini revision --autogenerate -m "…"``).
"""
