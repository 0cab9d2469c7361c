OK_FORMAT = True

# All or nothing: one failing case costs the whole question.
test = {
    "name": "q_strict",
    "points": 3,
    "all_or_nothing": True,
    "suites": [
        {
            "cases": [
                {"code": ">>> vowels('banana')\n3", "hidden": False, "locked": False},
                {"code": ">>> vowels('sky')\n0", "hidden": False, "locked": False},
                {"code": ">>> vowels('AEIOU and y')\n6", "hidden": True, "locked": False},
            ],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
