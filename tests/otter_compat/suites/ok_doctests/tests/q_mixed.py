OK_FORMAT = True

# 4 points with one case worth 1: the two cases without points share the other 3.
test = {
    "name": "q_mixed",
    "points": 4,
    "suites": [
        {
            "cases": [
                {"code": ">>> sign(-5)\n-1", "hidden": False, "locked": False, "points": 1},
                {"code": ">>> sign(0)\n0", "hidden": False, "locked": False},
                {"code": ">>> sign(2.5)\n1", "hidden": True, "locked": False},
            ],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
