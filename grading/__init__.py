"""Course infrastructure for Otter-Grader assignments: build distributions, grade, export.

The command line (``python -m grading``) is a thin layer over the modules here, which can be
used directly from Python.
"""
