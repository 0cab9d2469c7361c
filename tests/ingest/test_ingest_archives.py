"""Hostile archives: unsafe names, symlinks, bombs, corruption. Nothing may escape the workdir."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from grading.ingest import ArchiveLimits, find_submissions
from grading.ingest.archives import SafeZip

MB = 1024 * 1024


def _info(name: str, mode: int | None = None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    if mode is not None:
        info.create_system = 3
        info.external_attr = mode << 16
    return info


def _files_under(path: Path) -> set[Path]:
    return {p for p in path.rglob("*") if p.is_file()}


def test_unsafe_members_are_rejected_and_the_rest_counts(tmp_path, workdir, make_zip, nb_bytes):
    archive = make_zip(
        "evil.zip",
        {
            "good.ipynb": nb_bytes(),
            "../evil.ipynb": (_info("../evil.ipynb"), nb_bytes()),
            "/abs.ipynb": (_info("/abs.ipynb"), nb_bytes()),
            "..\\win.ipynb": (_info("..\\win.ipynb"), nb_bytes()),
            "C:/drive.ipynb": (_info("C:/drive.ipynb"), nb_bytes()),
            "link.ipynb": (_info("link.ipynb", stat.S_IFLNK | 0o777), "/etc/passwd"),
            "__zip_filename__": "evil.zip",
        },
    )
    before = _files_under(tmp_path) - _files_under(workdir)

    result = find_submissions([archive], workdir)

    (sub,) = result.submissions
    assert sub.origin == f"{archive}!good.ipynb"
    reasons = {r.origin.split("!", 1)[1]: r.reason for r in result.rejected}
    assert reasons == {
        "../evil.ipynb": "unsafe archive member: '..' path component "
        "(would escape the extraction folder)",
        "/abs.ipynb": "unsafe archive member: absolute path",
        "..\\win.ipynb": "unsafe archive member: backslash in member name (a Windows path trick)",
        "C:/drive.ipynb": "unsafe archive member: absolute path",
        "link.ipynb": "unsafe archive member: symbolic link",
    }
    assert all(r.origin.startswith(f"{archive}!") for r in result.rejected)
    assert all(r.student == "evil" for r in result.rejected)
    # nothing was written outside the workdir, and no symlink was created anywhere
    assert _files_under(tmp_path) - _files_under(workdir) == before
    assert not any(p.is_symlink() for p in tmp_path.rglob("*"))


def test_unsafe_member_in_canvas_zip(workdir, make_zip, nb_bytes):
    archive = make_zip(
        "bulk.zip",
        {
            "smithjane_1_2_hw.ipynb": nb_bytes(),
            "../doejohn_3_4_hw.ipynb": (_info("../doejohn_3_4_hw.ipynb"), nb_bytes()),
        },
    )

    result = find_submissions([archive], workdir)

    assert [s.student for s in result.submissions] == ["1"]
    (rej,) = result.rejected
    assert rej.origin == f"{archive}!../doejohn_3_4_hw.ipynb"
    assert rej.student == "3"  # attributed through the Canvas name
    assert "'..'" in rej.reason


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """300 MB of zeros in about 1.3 MB, written in a stream (never 300 MB in memory or on disk)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = _info("derivatives.ipynb")
        info._compresslevel = 1  # fastest; zeros still compress about 230:1
        with zf.open(info, "w", force_zip64=True) as out:
            chunk = bytes(MB)
            for _ in range(300):
                out.write(chunk)
        zf.writestr("__zip_filename__", "bomb.zip")
    return path


def test_decompression_bomb_is_rejected(bomb, workdir):
    result = find_submissions([bomb], workdir)

    assert result.submissions == []
    (rej,) = result.rejected
    assert rej.origin == f"{bomb}!derivatives.ipynb"
    assert rej.reason.startswith(f"too large: {300 * MB} bytes uncompressed (limit {50 * MB}")
    assert "zip bomb" in rej.reason
    assert sum(p.stat().st_size for p in _files_under(workdir)) == 0


def test_streaming_cap_holds_without_the_header_checks(bomb, workdir, monkeypatch):
    """Headers can lie: the byte count while copying stops the bomb on its own."""
    monkeypatch.setattr(SafeZip, "_precheck", lambda self, info: None)
    limits = ArchiveLimits(max_member_bytes=5 * MB, max_ratio=1e9)

    result = find_submissions([bomb], workdir, limits=limits)

    (rej,) = result.rejected
    assert rej.reason == f"too large: over {5 * MB} bytes uncompressed (possible zip bomb)"
    assert _files_under(workdir) == set()  # the partial file is removed


def test_compression_ratio_cap(workdir, make_zip):
    archive = make_zip("ratio.zip", {"ratio.ipynb": bytes(2 * MB), ".OTTER_LOG": b""})

    (rej,) = find_submissions([archive], workdir).rejected

    assert rej.origin == f"{archive}!ratio.ipynb"
    assert rej.reason == "compression ratio over 200:1 (possible zip bomb)"


def test_total_cap_per_archive_covers_nested_archives(workdir, make_zip, nb_bytes):
    padding = "#" + "".join(f"{i:08x}" for i in range(20_000))  # ~160 KB, compresses poorly-ish
    inner = make_zip("inner/x.zip", {"x.ipynb": nb_bytes(padding)})
    bulk = make_zip(
        "bulk.zip",
        {
            "aa_1_1_hw.ipynb": nb_bytes(padding + "a"),
            "bb_2_2_hw.zip": inner.read_bytes(),
            "cc_3_3_hw.ipynb": nb_bytes(padding + "c"),
        },
    )
    size = len(nb_bytes(padding))
    limits = ArchiveLimits(max_total_bytes=int(size * 1.5))

    result = find_submissions([bulk], workdir, limits=limits)

    assert [s.student for s in result.submissions] == ["1"]
    reasons = {r.student: r.reason for r in result.rejected}
    assert set(reasons) == {"2", "3"}
    assert all("total extraction limit" in reason for reason in reasons.values())


def test_corrupt_zip_is_rejected(tmp_path, workdir, make_zip, nb_bytes):
    not_zip = tmp_path / "garbage.zip"
    not_zip.write_bytes(b"PK\x03\x04 this is not really a zip")
    good = make_zip("good.zip", {"hw.ipynb": nb_bytes("x = " + "1" * 500)})
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[:-30])

    result = find_submissions([not_zip, truncated], workdir)

    assert result.submissions == []
    reasons = {r.origin: r.reason for r in result.rejected}
    assert reasons[str(not_zip)].startswith("not a readable zip archive (File is not a zip file")
    assert reasons[str(truncated)].startswith("not a readable zip archive")


def test_corrupt_member_data_is_rejected(tmp_path, workdir, make_zip, nb_bytes):
    good = make_zip("good.zip", {"hw.ipynb": nb_bytes("x = " + "1" * 500), ".OTTER_LOG": b""})
    data = bytearray(good.read_bytes())
    data[40] ^= 0xFF  # inside the first member's compressed bytes
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))

    (rej,) = find_submissions([bad], workdir).rejected

    assert rej.origin == f"{bad}!hw.ipynb"
    assert rej.reason.startswith("corrupt member")


def test_too_many_members(workdir, make_zip):
    archive = make_zip("many.zip", {f"f{i}.txt": b"" for i in range(30)})

    (rej,) = find_submissions([archive], workdir, limits=ArchiveLimits(max_members=20)).rejected

    assert rej.reason == "too many members (30 > 20)"


def test_encrypted_member_is_rejected(tmp_path, workdir, make_zip, nb_bytes):
    archive = make_zip("enc.zip", {"hw.ipynb": nb_bytes(), ".OTTER_LOG": b""})
    data = bytearray(archive.read_bytes())
    # set the "encrypted" flag bit in both the local and the central header
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 0x1
    archive.write_bytes(bytes(data))

    (rej,) = find_submissions([archive], workdir).rejected

    assert (rej.origin, rej.reason) == (f"{archive}!hw.ipynb", "encrypted member")


def test_unsupported_compression_is_rejected(tmp_path, workdir, make_zip, nb_bytes):
    archive = make_zip("odd.zip", {"hw.ipynb": nb_bytes(), ".OTTER_LOG": b""})
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.find(signature)
        data[at + offset] = 9  # method 9 = Deflate64, which zipfile cannot read
    archive.write_bytes(bytes(data))

    (rej,) = find_submissions([archive], workdir).rejected

    assert rej.origin == f"{archive}!hw.ipynb"
    assert rej.reason.startswith("unsupported compression")
