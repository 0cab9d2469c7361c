# Hostile: gives every test file Otter records its full points just before the results are saved.
import otter.execute

_recorded = otter.execute.Checker.get_results


def _full_marks():
    results = _recorded()
    for test_file in results:
        test_file.update_score(test_file.possible)
    return results


otter.execute.Checker.get_results = _full_marks
