OK_FORMAT = True

# Otter seeds numpy and random with 7 at the top of every cell: the first draws of a cell are
# these.
test = {
    "name": "q_draws",
    "points": 2,
    "suites": [
        {
            "cases": [{"code": ">>> [int(v) for v in draws]\n[47, 68, 25, 67]", "hidden": False}],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
