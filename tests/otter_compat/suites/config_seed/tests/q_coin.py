OK_FORMAT = True

test = {
    "name": "q_coin",
    "points": 1,
    "suites": [
        {
            "cases": [{"code": ">>> coin\n0.323833", "hidden": True}],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
