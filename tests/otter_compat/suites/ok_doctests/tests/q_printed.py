OK_FORMAT = True

# Printed output compared by doctest; a case without a "hidden" key is hidden (Otter's default).
test = {
    "name": "q_printed",
    "points": 2,
    "suites": [
        {
            "cases": [
                {"code": ">>> greet('Ada')\nHello, Ada!"},
                {"code": ">>> greet('')\nHello, stranger!", "hidden": True},
                {"code": ">>> greet('Lin'); greet('Bo')\nHello, Lin!\nHello, Bo!", "hidden": False},
            ],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }
    ],
}
