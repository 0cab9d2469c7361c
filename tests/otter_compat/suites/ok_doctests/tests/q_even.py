OK_FORMAT = True

# Two public and two hidden cases sharing the question's 2 points.
test = {
    "name": "q_even",
    "points": 2,
    "suites": [
        {
            "cases": [
                {"code": ">>> is_even(4)\nTrue", "hidden": False, "locked": False},
                {"code": ">>> is_even(7)\nFalse", "hidden": False, "locked": False},
                {"code": ">>> is_even(0)\nTrue", "hidden": True, "locked": False},
                {"code": ">>> is_even(-3)\nFalse", "hidden": True, "locked": False},
            ],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
