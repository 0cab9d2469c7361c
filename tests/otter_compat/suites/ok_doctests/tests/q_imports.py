OK_FORMAT = True

# Tests that import modules of their own.
test = {
    "name": "q_imports",
    "points": 1,
    "suites": [
        {
            "cases": [
                {
                    "code": ">>> import statistics\n>>> statistics.median(scores)\n7.5",
                    "hidden": False,
                    "locked": False,
                },
                {
                    "code": ">>> import json\n>>> json.dumps(settings, sort_keys=True)\n"
                    "'{\"level\": 3, \"mode\": \"fast\"}'",
                    "hidden": True,
                    "locked": False,
                },
            ],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
