"""Files a student hands in beside the notebook, and Python scripts graded as Otter grades them."""

from __future__ import annotations

from grading.ingest import ArchiveLimits, find_submissions
from grading.model import sha256_file, submission_key


def names(submission) -> dict[str, bytes]:
    return {f.name: f.path.read_bytes() for f in submission.files}


def test_export_files_go_with_the_notebook_and_change_its_key(workdir, make_zip, nb_bytes):
    members = {"hw.ipynb": nb_bytes("import pandas"), "data/points.csv": "x,y\n1,2\n"}
    first = make_zip("a/hw.zip", {**members, "__zip_filename__": "hw.zip"})
    changed = make_zip("b/hw.zip", {**members, "data/points.csv": "x,y\n1,3\n"})

    (one,) = find_submissions([first], workdir / "1").submissions
    (two,) = find_submissions([changed], workdir / "2").submissions

    assert names(one) == {"data/points.csv": b"x,y\n1,2\n"}
    assert sha256_file(one.path) == sha256_file(two.path)  # the same notebook ...
    assert one.sha256 != two.sha256  # ... with another data file: another result key
    assert one.sha256 == submission_key(sha256_file(one.path), one.files)


def test_a_notebook_alone_keeps_the_notebook_hash(tmp_path, workdir, make_zip, nb_bytes):
    """Gradebooks written before files were kept key results by the notebook's hash: a notebook
    alone, or exported with nothing but Otter's log and name marker, keeps that key."""
    notebook = tmp_path / "alice.ipynb"
    notebook.write_bytes(nb_bytes())
    export = make_zip(
        "bob.zip", {"hw.ipynb": nb_bytes("b = 1"), ".OTTER_LOG": b"\x80", "__zip_filename__": "x"}
    )

    alone, exported = find_submissions([notebook, export], workdir).submissions

    assert alone.files == () and alone.sha256 == sha256_file(notebook)
    assert [f.name for f in exported.files] == [".OTTER_LOG"]  # for otter run's grade_from_log
    assert exported.sha256 == sha256_file(exported.path)


def test_student_folders_bring_their_files_but_a_class_folder_does_not(tmp_path, workdir, nb_bytes):
    root = tmp_path / "class"
    (root / "alice" / "data").mkdir(parents=True)
    (root / "alice" / "hw.ipynb").write_bytes(nb_bytes("a = 1"))
    (root / "alice" / "data" / "x.csv").write_text("1,2\n")
    (root / "alice" / "helpers.py").write_text("def f(): return 1\n")
    (root / "alice" / ".hidden").write_text("editor state")
    (root / "bob").mkdir()
    (root / "bob" / "one.ipynb").write_bytes(nb_bytes("b = 1"))
    (root / "bob" / "two.ipynb").write_bytes(nb_bytes("b = 2"))
    (root / "bob" / "data.csv").write_text("whose?\n")
    (root / "carol.ipynb").write_bytes(nb_bytes("c = 1"))
    (root / "stray.csv").write_text("nobody's\n")

    result = find_submissions([root], workdir)

    assert result.rejected == []
    by_origin = {s.origin.removeprefix(f"{root}/"): s for s in result.submissions}
    assert sorted(by_origin) == ["alice/hw.ipynb", "bob/one.ipynb", "bob/two.ipynb", "carol.ipynb"]
    alice = by_origin["alice/hw.ipynb"]
    assert alice.student == "alice"
    assert names(alice) == {"data/x.csv": b"1,2\n", "helpers.py": b"def f(): return 1\n"}
    # Two notebooks in one folder: which file goes with which cannot be told, so neither.
    assert by_origin["bob/one.ipynb"].files == by_origin["bob/two.ipynb"].files == ()
    assert by_origin["carol.ipynb"].files == ()


def test_one_submission_folder_given_directly(tmp_path, workdir, nb_bytes):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "hw.ipynb").write_bytes(nb_bytes())
    (folder / "model.pkl").write_bytes(b"\x80\x04weights")
    (folder / "link.csv").symlink_to("/etc/passwd")  # never followed

    (sub,) = find_submissions([folder], workdir).submissions

    assert sub.student == "hw" and names(sub) == {"model.pkl": b"\x80\x04weights"}


def test_canvas_student_with_a_notebook_and_data(workdir, make_zip, nb_bytes):
    bulk = make_zip(
        "bulk.zip",
        {
            "smithjane_12_34_hw.ipynb": nb_bytes("jane = 1"),
            "smithjane_12_34_data.csv": "old\n",
            "smithjane_12_34_data-1.csv": "new\n",  # Canvas's name for a re-upload of data.csv
            "doejohn_56_78_hw.ipynb": nb_bytes("john = 1"),
            "doejohn_56_78_notes.docx": b"PK word",
        },
    )

    result = find_submissions([bulk], workdir)

    assert result.rejected == []  # john's .docx went with his notebook, not into a rejection
    by_student = {s.student: s for s in result.submissions}
    assert names(by_student["12"]) == {"data.csv": b"new\n"}
    assert names(by_student["56"]) == {"notes.docx": b"PK word"}


def test_gradescope_folder_with_a_notebook_and_a_module(workdir, make_zip, nb_bytes):
    export = make_zip(
        "gs.zip",
        {
            "export/submission_metadata.yml": (
                "submission_1:\n  :submitters:\n  - :name: Ann\n    :sid: '42'\n"
            ),
            "export/submission_1/hw.ipynb": nb_bytes(),
            "export/submission_1/lib/tools.py": "X = 1\n",
        },
    )

    (sub,) = find_submissions([export], workdir).submissions

    assert sub.student == "42" and names(sub) == {"lib/tools.py": b"X = 1\n"}


def test_python_scripts_are_submissions_where_otter_grades_them(
    tmp_path, workdir, make_zip, nb_bytes
):
    script = tmp_path / "alice.py"
    script.write_text("def f(x):\n    return 2 * x\n")
    export = make_zip("bob.zip", {"answers.py": "y = 1\n", "data.txt": "7\n"})
    both = make_zip("carol.zip", {"hw.ipynb": nb_bytes(), "helper.py": "z = 1\n"})
    binary = tmp_path / "dave.py"
    binary.write_bytes(b"\xff\xfe\x00")

    result = find_submissions([script, export, both, binary], workdir)

    by_student = {s.student: s for s in result.submissions}
    assert by_student["alice"].is_script and by_student["alice"].files == ()
    bob = by_student["bob"]  # no notebook in the zip, one script: Otter grades the script
    assert bob.path.name == "answers.py" and bob.is_script and names(bob) == {"data.txt": b"7\n"}
    carol = by_student["carol"]  # a notebook beside a script: the script is a support file
    assert carol.path.name == "hw.ipynb" and names(carol) == {"helper.py": b"z = 1\n"}
    (rejected,) = result.rejected
    assert rejected.origin == str(binary) and rejected.reason.startswith("not UTF-8 text")


def test_files_past_the_caps_are_listed_and_the_notebook_still_grades(workdir, make_zip, nb_bytes):
    export = make_zip(
        "big.zip", {"hw.ipynb": nb_bytes(), **{f"data/{i}.txt": "x" * 100 for i in range(5)}}
    )
    limits = ArchiveLimits(max_beside_files=3, max_beside_bytes=250)

    result = find_submissions([export], workdir, limits=limits)

    (sub,) = result.submissions
    assert sorted(names(sub)) == ["data/0.txt", "data/1.txt"]  # 250 bytes hold two of them
    (left_out,) = result.rejected
    assert left_out.student == "big" and left_out.origin == f"{export}!data/2.txt"
    assert left_out.reason.startswith("3 file(s) handed in beside the notebook were left out")


def test_a_class_of_scripts_but_helpers_beside_notebooks(tmp_path, workdir, nb_bytes):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "alice.py").write_text("a = 1\n")
    (scripts / "bob.py").write_text("b = 1\n")
    (scripts / "__init__.py").write_text("")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "carol.ipynb").write_bytes(nb_bytes("c = 1"))
    (notebooks / "dave.ipynb").write_bytes(nb_bytes("d = 1"))
    (notebooks / "utils.py").write_text("def helper(): ...\n")

    result = find_submissions([scripts, notebooks], workdir)

    assert result.rejected == []
    assert sorted(s.student for s in result.submissions) == ["alice", "bob", "carol", "dave"]
    assert all(s.files == () for s in result.submissions)
