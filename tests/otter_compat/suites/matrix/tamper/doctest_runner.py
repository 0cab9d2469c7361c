# Hostile: every doctest reports no failures.
import doctest

doctest.DocTestRunner.summarize = lambda self, verbose=None: doctest.TestResults(0, 0)
