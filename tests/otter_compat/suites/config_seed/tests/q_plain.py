OK_FORMAT = True

test = {
    "name": "q_plain",
    "points": 1,
    "suites": [
        {
            "cases": [{"code": ">>> answer\n42", "hidden": False}],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
