OK_FORMAT = True

# A bare name, then a multi-line example (an if/else block) whose printed line is compared.
test = {
    "name": "q_flag",
    "points": 2,
    "suites": [
        {
            "cases": [
                {"code": ">>> flag\n'on'", "hidden": False, "locked": False},
                {
                    "code": r"""
                    >>> if flag == "on":
                    ...     print("lamp lit")
                    ... else:
                    ...     print("dark")
                    lamp lit
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
