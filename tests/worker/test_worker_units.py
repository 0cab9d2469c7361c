"""The grading worker's parts, on the host: the data-only codec, the channel, the tampering scan,
the refusal of readable inputs, and one notebook graded in-process (no container, no user switch).
"""

from __future__ import annotations

import math
import os
import struct
import tempfile
from pathlib import Path

import nbformat
import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from grading.sandbox.worker.__main__ import refuse_readable
from grading.sandbox.worker.channel import Channel, ChannelClosed, ChannelTimeout, pipe_pair
from grading.sandbox.worker.codec import EncodingError, Opaque, decode, encode
from grading.sandbox.worker.tamper import scan_cells

CASES = yaml.safe_load((Path(__file__).parents[1] / "hostile" / "cases.yaml").read_text())


def roundtrip(value):
    return decode(encode(value, lambda v: None), lambda data: pytest.fail(f"a handle: {data}"))


def test_codec_keeps_numpy_types_shapes_and_special_floats():
    value = {
        "scalar": np.float64(2.5),
        "int": np.int32(-3),
        "array": np.arange(12, dtype=np.float32).reshape(3, 4),
        "flags": np.array([True, False]),
        ("tuple", 1): [math.inf, -math.inf, 1 + 2j, None, "text", {1, 2}],
        "objects": np.array([1, "a"], dtype=object),
    }
    back = roundtrip(value)
    assert type(back["scalar"]) is np.float64 and back["scalar"] == 2.5
    assert back["int"].dtype == np.int32
    assert back["array"].dtype == np.float32 and back["array"].shape == (3, 4)
    np.testing.assert_array_equal(back["array"], value["array"])
    assert back[("tuple", 1)] == value[("tuple", 1)]
    assert math.isnan(roundtrip(math.nan))
    assert list(back["objects"]) == [1, "a"]


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(), lambda inner: st.lists(inner) | st.tuples(inner, inner)
                    | st.dictionaries(st.text(), inner), max_leaves=30))  # fmt: skip
def test_codec_round_trips_plain_data(value):
    assert roundtrip(value) == value


def test_codec_describes_what_is_not_data_and_refuses_what_is_too_deep():
    class Thing:
        pass

    assert isinstance(roundtrip(Thing()), Opaque)
    deep: list = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(EncodingError):
        encode(deep, lambda v: None)


def test_channel_rejects_malformed_messages_and_times_out():
    (read_fd, write_fd), (their_read, their_write) = pipe_pair()
    ours, theirs = Channel(read_fd, write_fd), Channel(their_read, their_write)
    theirs.send({"op": "ran", "seq": 1})
    assert ours.recv(deadline=None) == {"op": "ran", "seq": 1}
    with pytest.raises(ChannelTimeout):
        import time

        ours.recv(deadline=time.monotonic() + 0.05)
    os.write(their_write, struct.pack(">Q", 5) + b"nope!")
    with pytest.raises(ChannelClosed, match="malformed"):
        ours.recv()
    theirs.close()
    with pytest.raises(ChannelClosed):
        ours.recv()


SOURCE_TAMPERING = sorted(
    name
    for name, case in CASES["tampering"].items()
    if "answer" in case and case["expect"]["status"] == "tampered"
)


@pytest.mark.parametrize("name", SOURCE_TAMPERING)
def test_the_source_scan_names_each_tampering_that_replaces_something(name):
    case = CASES["tampering"][name]
    found = scan_cells([case["answer"]])
    assert any(case["expect"]["reason"] in entry for entry in found), found


def test_the_source_scan_passes_every_honest_answer(assignment):
    honest = [p.read_text() for p in (assignment.master_dir / "corpus").rglob("*.py")]
    for path in sorted(assignment.samples_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        honest += [c.source for c in nb.cells if c.cell_type == "code"]
    for group in ("runaway", "escapes", "crashes"):  # harmful, but no attempt on the grading
        honest += [c["answer"] for c in CASES[group].values()
                   if "answer" in c and c["expect"]["status"] != "tampered"]  # fmt: skip
    assert len(honest) > 300
    assert [s for s in honest if scan_cells([s])] == []


def test_batch_refuses_inputs_the_student_user_could_read(tmp_path):
    secret = tmp_path / "autograder.zip"
    secret.write_bytes(b"zip")
    secret.chmod(0o400)
    refuse_readable([secret])
    secret.chmod(0o644)
    with pytest.raises(SystemExit, match="readable by every user"):
        refuse_readable([secret])


@pytest.fixture(scope="module")
def in_process_grader(assignment):
    """The worker's grader and zygote in this process's children, as the test user (no switch)."""
    from grading.sandbox.worker.grader import Autograder, NotebookRun, Settings
    from grading.sandbox.worker.sandboxing import ChildLimits
    from grading.sandbox.worker.zygote import Zygote, preload

    preload()
    zygote = Zygote.start()
    autograder = Autograder(assignment.autograder_zip.read_bytes(), Path(tempfile.mkdtemp()))
    settings = Settings(
        uid=os.getuid(),
        cell_timeout=20,
        timeout=120,
        limits=ChildLimits(memory_mb=2048, processes=64),
    )

    def grade(path: Path) -> dict:
        return NotebookRun(autograder, zygote, settings).grade(path.read_bytes(), path.name)

    yield grade
    zygote.stop()


@pytest.mark.slow
@pytest.mark.parametrize("sample", ["strong.ipynb", "weak.ipynb", "untouched.ipynb"])
def test_in_process_scores_equal_otter_run(sample, in_process_grader, assignment, otter_scores):
    outcome = in_process_grader(assignment.samples_dir / sample)
    assert outcome["status"] == "graded", outcome.get("reason")
    scores = {q["name"]: q["score"] for q in outcome["questions"]}
    assert scores == otter_scores[sample]
