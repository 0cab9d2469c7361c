# Hostile: looks for the assignment's test files and prints them.
import glob
import pathlib

for pattern in ["tests/*.py", "../source/tests/*.py", "/autograder/source/tests/*.py"]:
    for path in sorted(glob.glob(pattern)):
        print(path)
        print(pathlib.Path(path).read_text())
