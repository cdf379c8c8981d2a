"""A workspace as one file: export it, hand it over, import it elsewhere.

The file is a ZIP archive (extension ``.ascolto`` by convention) holding::

    ascolto-workspace.json   manifest: format, schema version, brand, files with SHA-256
    workspace.sqlite3        a consistent snapshot of the catalogue (``VACUUM INTO``)
    mentions/seg-*.parquet   the segments that snapshot lists

Segments are immutable once listed, so the snapshot plus the files it names is
a consistent copy even while another process adds mentions. Importing checks
that the file is a workspace, that this build can read its version (a newer
one is refused with a clear message), and that no file was damaged, before
anything appears in the target folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from ascolto_core.errors import AscoltoError
from ascolto_core.workspace.migrations import SCHEMA_VERSION
from ascolto_core.workspace.store import CATALOGUE_FILE, FORMAT, SEGMENTS_DIR, Workspace

MANIFEST = "ascolto-workspace.json"
_COPY_RETRIES = 5


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_workspace(source: Workspace | str | os.PathLike[str], output: str | os.PathLike[str]) -> Path:
    """Write the workspace as one file (written to a temporary name, then renamed).

    Returns:
        The path of the written file.

    Raises:
        AscoltoError: ``workspace.not_found``, ``workspace.cannot_write``.
    """
    workspace = source if isinstance(source, Workspace) else Workspace.open(source, read_only=True)
    target = Path(output).expanduser()
    for attempt in range(_COPY_RETRIES):
        try:
            return _export_once(workspace, target)
        except FileNotFoundError:
            if attempt == _COPY_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _export_once(workspace: Workspace, target: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="ascolto-export-") as scratch:
        snapshot = Path(scratch) / CATALOGUE_FILE
        con = sqlite3.connect(workspace.catalogue_path, timeout=120)
        try:
            con.execute("VACUUM INTO ?", (str(snapshot),))
        finally:
            con.close()
        con = sqlite3.connect(snapshot)
        try:
            files = [row[0] for row in con.execute("SELECT file FROM segments ORDER BY file")]
            version = int(con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
            body = con.execute("SELECT body FROM settings WHERE id = 1").fetchone()
        finally:
            con.close()
        members = {CATALOGUE_FILE: snapshot}
        members.update({f"{SEGMENTS_DIR}/{name}": workspace.path / SEGMENTS_DIR / name for name in files})
        manifest = {
            "format": FORMAT,
            "schema_version": version,
            "brand": (json.loads(body[0]).get("brand") if body else "") or "",
            "name": workspace.name,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "files": {name: _sha256(path) for name, path in members.items()},
        }
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
                archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
                for name, path in members.items():
                    archive.write(path, name)
            os.replace(partial, target)
        except OSError as error:
            raise AscoltoError(
                "workspace.cannot_write", path=str(target), problem=error.strerror or str(error)
            ) from None
    return target


def read_manifest(file: str | os.PathLike[str]) -> dict[str, object]:
    """The manifest of an exported workspace, after checking it is one and this build can read it.

    Raises:
        AscoltoError: ``workspace.not_a_workspace_file``, ``workspace.file_too_new``.
    """
    path = Path(file)
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
    except FileNotFoundError:
        raise AscoltoError("workspace.not_a_workspace_file", path=str(path)) from None
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError, OSError):
        raise AscoltoError("workspace.not_a_workspace_file", path=str(path)) from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), dict)
    ):
        raise AscoltoError("workspace.not_a_workspace_file", path=str(path))
    version = manifest.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise AscoltoError("workspace.not_a_workspace_file", path=str(path))
    if version > SCHEMA_VERSION:
        raise AscoltoError(
            "workspace.file_too_new", path=str(path), version=version, supported=SCHEMA_VERSION
        )
    return manifest


def _safe_member(name: str) -> bool:
    if name == CATALOGUE_FILE:
        return True
    parts = name.split("/")
    return (
        len(parts) == 2
        and parts[0] == SEGMENTS_DIR
        and parts[1].startswith("seg-")
        and parts[1].endswith(".parquet")
    )


def import_workspace(file: str | os.PathLike[str], destination: str | os.PathLike[str]) -> Workspace:
    """Make a workspace in ``destination`` (new or empty folder) from an exported file.

    An older file is migrated to this build's schema on opening.

    Raises:
        AscoltoError: ``workspace.not_a_workspace_file``, ``workspace.file_too_new``,
            ``workspace.file_damaged``, ``workspace.import_target``.
    """
    source = Path(file).expanduser()
    target = Path(destination).expanduser()
    manifest = read_manifest(source)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise AscoltoError("workspace.import_target", path=str(target))
    files: dict[str, str] = manifest["files"]  # type: ignore[assignment]
    if CATALOGUE_FILE not in files or not all(_safe_member(name) for name in files):
        raise AscoltoError("workspace.not_a_workspace_file", path=str(source))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.importing-{uuid.uuid4().hex[:8]}")
    try:
        (staging / SEGMENTS_DIR).mkdir(parents=True)
        with zipfile.ZipFile(source) as archive:
            for name, expected in files.items():
                out = staging / name
                with archive.open(name) as member, open(out, "wb") as handle:
                    shutil.copyfileobj(member, handle, 1 << 20)
                if _sha256(out) != expected:
                    raise AscoltoError("workspace.file_damaged", path=str(source), problem=name)
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except KeyError as error:
        raise AscoltoError("workspace.file_damaged", path=str(source), problem=str(error)) from None
    except zipfile.BadZipFile as error:
        raise AscoltoError("workspace.file_damaged", path=str(source), problem=str(error)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    workspace = Workspace.open(target)
    workspace.mark_writable()  # an imported copy is the recipient's own, even of the read-only demo
    return workspace
