"""Specs from git history: `REV:path` (`HEAD~1:specs/shop.schema`, `main:specs/`) for
`schemac diff`.

`checkout(spec, into)` reads the spec at a revision into a folder with `git ls-tree` and
`git archive` -- every `.schema` file of the revision, so that `import`s inside it resolve
as they did then -- and returns the path to load there. As in `git show`, the path is
relative to the top of the repository, or to the current folder when it starts with `./` or
`../`. An argument whose part before the colon is not a revision git knows is a path on disk.
"""

from __future__ import annotations

import io
import posixpath
import subprocess
from pathlib import Path


class RevisionError(Exception):
    """Not in a git repository, an unknown revision, or a path the revision does not have."""


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], capture_output=True, check=False)
    except OSError as exc:
        raise RevisionError(f"cannot run git: {exc}") from exc


def revision_of(spec: str) -> tuple[str, str] | None:
    """(revision, path) when `spec` is `REV:path` and git knows REV here; else None (a path)."""
    rev, sep, path = spec.partition(":")
    if not sep or not rev:
        return None
    if _git("rev-parse", "--is-inside-work-tree").returncode != 0:
        if not Path(spec).exists():
            raise RevisionError(f"'{spec}' reads a spec from git history, but {Path.cwd()} is not in a git repository")
        return None
    if _git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode != 0:
        if Path(spec).exists():
            return None
        raise RevisionError(f"unknown revision '{rev}' in '{spec}' (and no such file)")
    return rev, path


def checkout(rev: str, path: str, into: Path) -> Path:
    """Extract the `.schema` files of `rev` into `into`; the path of `path` there.

    Raises:
        RevisionError: git fails, or `path` is not in `rev`.
    """
    if path.startswith(("./", "../")) or path in (".", ".."):
        prefix = _git("rev-parse", "--show-prefix").stdout.decode().strip()
        path = posixpath.normpath(posixpath.join(prefix, path))
    path = path.rstrip("/") or "."
    if path.startswith(".."):
        raise RevisionError(f"'{rev}:{path}' is outside the repository")
    top = _git("rev-parse", "--show-toplevel").stdout.decode().strip()
    kind = _git("-C", top, "cat-file", "-t", f"{rev}:{path}" if path != "." else f"{rev}^{{tree}}")
    if kind.returncode != 0:
        raise RevisionError(f"'{path}' does not exist in revision '{rev}'")
    listed = _git("-C", top, "ls-tree", "-r", "--name-only", "-z", rev)
    if listed.returncode != 0:
        raise RevisionError(f"git ls-tree {rev} failed: {listed.stderr.decode().strip()}")
    names = [n for n in listed.stdout.decode().split("\0") if n.endswith(".schema")]
    if path != "." and kind.stdout.decode().strip() == "blob" and path not in names:
        names.append(path)
    if names:
        archive = _git("-C", top, "archive", "--format=tar", rev, "--", *names)
        if archive.returncode != 0:
            raise RevisionError(f"git archive {rev} failed: {archive.stderr.decode().strip()}")
        import tarfile  # (only here: importing it costs a `schemac diff` of files a few ms)

        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(into, filter="data")
    return into / path
