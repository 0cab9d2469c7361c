OK_FORMAT = True

# Each case runs on a copy of the notebook's names (doctest copies its globals): `base`, set by
# the first case, is not there for the second unless the notebook defines one itself.
test = {
    "name": "q_shared",
    "points": 2,
    "suites": [
        {
            "cases": [
                {"code": ">>> base = total_cost([2, 3])\n>>> base\n5", "hidden": False},
                {"code": ">>> base * 2\n10", "hidden": True},
            ],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
