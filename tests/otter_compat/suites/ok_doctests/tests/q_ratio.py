OK_FORMAT = True

# Under numpy 2 a numpy comparison prints as np.True_: the recorded output says so.
test = {
    "name": "q_ratio",
    "points": 1,
    "suites": [
        {
            "cases": [
                {"code": ">>> np.isclose(ratio, 0.625)\nnp.True_", "hidden": True, "locked": False},
            ],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
