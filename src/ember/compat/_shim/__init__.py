"""Folder put first on ``PYTHONPATH`` by ``ember.compat`` for child interpreters; its ``torch``
package is the stand-in (this file only makes setuptools ship it)."""
