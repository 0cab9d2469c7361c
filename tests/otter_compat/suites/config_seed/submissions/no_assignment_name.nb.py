# %%
import random

import numpy as np
import otter

grader = otter.Notebook()
# %%
draws = np.random.randint(0, 100, 4)
# %%
coin = round(random.random(), 6)
# %%
answer = 42
