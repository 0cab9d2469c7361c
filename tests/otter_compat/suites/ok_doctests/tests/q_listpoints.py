OK_FORMAT = True

# Points given per case as a list.
test = {
    "name": "q_listpoints",
    "points": [1, 2, 3],
    "suites": [
        {
            "cases": [
                {"code": ">>> clip01(0.25)\n0.25", "hidden": False, "locked": False},
                {"code": ">>> clip01(-4)\n0", "hidden": False, "locked": False},
                {"code": ">>> clip01(9)\n1", "hidden": True, "locked": False},
            ],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
