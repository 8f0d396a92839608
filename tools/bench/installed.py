"""Versions of optional Python packages for the peers' JSON reports."""
from importlib import metadata


def versions(*distributions):
    """{name: installed version, or None when the distribution is not installed}."""
    found = {}
    for name in distributions:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found
