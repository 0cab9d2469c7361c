"""Reading zip archives that students control, without trusting anything inside them.

Nothing here calls ``ZipFile.extractall`` or joins a member name onto a path before checking it:
every member name is validated and normalised first, symlinks and special files are refused,
and each member is copied out in chunks while counting bytes, so a lying header or a
decompression bomb stops at a cap instead of filling the disk.
"""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps for reading one input archive (and the archives nested in it)."""

    max_member_bytes: int = 50 * MB  # one extracted member
    max_total_bytes: int = 200 * MB  # everything extracted from one input, nested archives included
    max_ratio: float = 200.0  # uncompressed / compressed size of one member ...
    ratio_floor_bytes: int = 1 * MB  # ... checked once the member is bigger than this
    max_members: int = 20_000  # entries in one archive's central directory
    max_depth: int = 1  # archives inside an archive: one level (Otter zip in a Canvas zip)
    # Files a student handed in beside the notebook (each also under max_member_bytes); past
    # these, the rest are listed for a person and the notebook grades without them.
    max_beside_files: int = 500
    max_beside_bytes: int = 64 * MB


DEFAULT_LIMITS = ArchiveLimits()


class ArchiveError(Exception):
    """The archive as a whole cannot be read (not a zip, corrupt directory, too many members)."""


class MemberError(Exception):
    """One member cannot be extracted (too big, bomb-like, corrupt, encrypted)."""


@dataclass
class Budget:
    """Bytes still allowed to be extracted from one input; shared with its nested archives."""

    remaining: int


_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(name: str) -> str:
    """A member name safe to show in a report (control characters escaped)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)


def checked_member_name(info: zipfile.ZipInfo) -> str:
    """The member's normalised relative POSIX path; raises ValueError saying why it is unsafe."""
    name = info.filename
    if not name:
        raise ValueError("empty member name")
    if "\\" in name:
        raise ValueError("backslash in member name (a Windows path trick)")
    if _CONTROL.search(name):
        raise ValueError("control character in member name")
    if name.startswith("/") or _DRIVE.match(name):
        raise ValueError("absolute path")
    parts = name.split("/")
    if ".." in parts:
        raise ValueError("'..' path component (would escape the extraction folder)")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ValueError("symbolic link")
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise ValueError("special file (device, fifo or socket)")
    clean = [p for p in parts if p not in ("", ".")]
    if not clean:
        raise ValueError("empty member name")
    return "/".join(clean) + ("/" if info.is_dir() else "")


def ignorable(name: str) -> bool:
    """Operating-system and editor litter that is never a submission (macOS, Jupyter, Windows)."""
    parts = name.rstrip("/").split("/")
    if any(p == "__MACOSX" or p == ".ipynb_checkpoints" for p in parts[:-1]):
        return True
    base = parts[-1]
    return base.startswith("._") or base in (".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass
class SafeZip:
    """An open archive listing only its safe file members; unsafe ones are in ``unsafe``."""

    path: Path
    origin: str
    limits: ArchiveLimits
    budget: Budget
    members: dict[str, zipfile.ZipInfo] = field(default_factory=dict)  # safe name -> info
    unsafe: list[tuple[str, str]] = field(default_factory=list)  # (raw member name, reason)
    _zip: zipfile.ZipFile | None = None

    @classmethod
    def open(cls, path: Path, origin: str, limits: ArchiveLimits, budget: Budget) -> SafeZip:
        """Open ``path`` and sort its members into safe and rejected; raises ArchiveError."""
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
            raise ArchiveError(f"not a readable zip archive ({error})") from error
        except Exception as error:  # zipfile raises assorted errors on crafted directories
            raise ArchiveError(f"not a readable zip archive ({type(error).__name__})") from error
        archive = cls(path=path, origin=origin, limits=limits, budget=budget, _zip=zf)
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            zf.close()
            raise ArchiveError(f"too many members ({len(infos)} > {limits.max_members})")
        for info in infos:
            try:
                name = checked_member_name(info)
            except ValueError as why:
                archive.unsafe.append((info.filename, f"unsafe archive member: {why}"))
                continue
            if name.endswith("/"):
                continue  # directory entry: folders are created as needed
            if name in archive.members:
                archive.unsafe.append((info.filename, "duplicate member name"))
                continue
            archive.members[name] = info
        return archive

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def member_origin(self, name: str) -> str:
        return f"{self.origin}!{printable(name)}"

    def names(self) -> list[str]:
        """Safe file members, sorted, without OS/editor litter."""
        return sorted(n for n in self.members if not ignorable(n))

    def extract(self, name: str, dest_root: Path) -> Path:
        """Copy one safe member to ``dest_root/name`` under the caps; raises MemberError."""
        info = self.members[name]
        self._precheck(info)
        target = dest_root.joinpath(*name.split("/"))
        if not target.resolve().is_relative_to(dest_root.resolve()):  # belt and braces
            raise MemberError("unsafe archive member: resolves outside the extraction folder")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                self._copy(info, out.write)
        except MemberError:
            target.unlink(missing_ok=True)
            raise
        except OSError as error:
            target.unlink(missing_ok=True)
            raise MemberError(f"cannot write the extracted file ({error.strerror})") from error
        return target

    def read_bytes(self, name: str, max_bytes: int) -> bytes:
        """A small member's bytes (metadata files), capped at ``max_bytes``."""
        info = self.members[name]
        if info.file_size > max_bytes:
            raise MemberError(f"larger than {max_bytes} bytes")
        self._precheck(info)
        chunks: list[bytes] = []
        self._copy(info, chunks.append, cap=max_bytes)
        return b"".join(chunks)

    def _precheck(self, info: zipfile.ZipInfo) -> None:
        """Refuse on the header alone when it already admits to being too big."""
        limits = self.limits
        if info.flag_bits & 0x1:
            raise MemberError("encrypted member")
        if info.file_size > limits.max_member_bytes:
            raise MemberError(
                f"too large: {info.file_size} bytes uncompressed "
                f"(limit {limits.max_member_bytes}; possible zip bomb)"
            )
        if info.file_size > self.budget.remaining:
            raise MemberError(
                f"archive exceeds the total extraction limit of {limits.max_total_bytes} bytes"
            )
        if info.file_size > limits.ratio_floor_bytes and (
            info.file_size / max(info.compress_size, 1) > limits.max_ratio
        ):
            raise MemberError(f"compression ratio over {limits.max_ratio:g}:1 (possible zip bomb)")

    def _copy(
        self, info: zipfile.ZipInfo, write: Callable[[bytes], object], cap: int | None = None
    ) -> None:
        """Stream the member out in chunks, counting the bytes actually produced."""
        limits = self.limits
        cap = limits.max_member_bytes if cap is None else cap
        assert self._zip is not None, "archive is closed"
        produced = 0
        try:
            with self._zip.open(info) as src:
                while chunk := src.read(_CHUNK):
                    produced += len(chunk)
                    if produced > cap:
                        raise MemberError(
                            f"too large: over {cap} bytes uncompressed (possible zip bomb)"
                        )
                    if produced > self.budget.remaining:
                        raise MemberError(
                            "archive exceeds the total extraction limit of "
                            f"{limits.max_total_bytes} bytes"
                        )
                    if produced > limits.ratio_floor_bytes and (
                        produced / max(info.compress_size, 1) > limits.max_ratio
                    ):
                        raise MemberError(
                            f"compression ratio over {limits.max_ratio:g}:1 (possible zip bomb)"
                        )
                    write(chunk)
        except MemberError:
            self.budget.remaining -= produced
            raise
        except NotImplementedError as error:  # before RuntimeError, its base class
            raise MemberError(f"unsupported compression ({error})") from error
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError) as error:
            self.budget.remaining -= produced
            raise MemberError(f"corrupt member ({error})") from error
        except Exception as error:  # zlib.error and friends from crafted data
            self.budget.remaining -= produced
            raise MemberError(f"corrupt member ({type(error).__name__}: {error})") from error
        self.budget.remaining -= produced
