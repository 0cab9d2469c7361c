# Hostile: every exception-format test case returns without calling its test.
from otter.test_files import exception_test

exception_test.test_case.call_func = lambda self, global_environment: None
