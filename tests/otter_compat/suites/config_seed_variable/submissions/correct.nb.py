# %%
import random

import numpy as np
import otter

grader = otter.Notebook()
SEED = 0  # the grader sets its own value at the top of every cell
# %%
rng = np.random.default_rng(SEED)
draws = rng.integers(0, 10, 5)
# %%
order = list("abcde")
random.Random(SEED).shuffle(order)
# %%
total = sum(range(6))
