"""schemac: a declarative schema-as-code compiler.

    >>> import schemac
    >>> schema = schemac.load("examples/shop.schema")   # doctest: +SKIP

The package imports nothing heavy until it is used, to keep the CLI quick to start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import os

    from schemac.ir import Schema

__all__ = ["load"]


def load(*paths: str | os.PathLike[str]) -> Schema:
    """Load and resolve `.schema` files (or folders of them) into the typed model.

    Raises `schemac.api.SchemaError`, whose `diagnostics` list the problems, when the specs
    have errors.
    """
    from schemac.api import load as _load

    return _load(*paths)


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("schemac")
    raise AttributeError(name)
