OK_FORMAT = True

# A hidden question (all its cases hidden from the summary), not all-or-nothing: a submission
# passing only the first case gets half the points.
test = {
    "name": "q_countdown",
    "points": 4,
    "hidden": True,
    "all_or_nothing": False,
    "suites": [
        {
            "cases": [
                {
                    "code": ">>> ticks = countdown(3)\n>>> next(ticks), next(ticks)\n(3, 2)",
                    "hidden": False,
                    "locked": False,
                },
                {
                    "code": r"""
                    >>> for tick in countdown(4):
                    ...     print(tick)
                    4
                    3
                    2
                    1
                    """,
                    "hidden": True,
                    "locked": False,
                },
            ],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
