OK_FORMAT = True

# Worth 0 points: the question shows in the results with a score of 0 out of 0.
test = {
    "name": "q_halve",
    "points": 0,
    "suites": [
        {
            "cases": [
                {"code": ">>> halve(8)\n4.0", "hidden": False, "locked": False},
                {"code": ">>> halve(3)\n1.5", "hidden": False, "locked": False},
                {"code": ">>> halve(-2)\n-1.0", "hidden": True, "locked": False},
            ],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
