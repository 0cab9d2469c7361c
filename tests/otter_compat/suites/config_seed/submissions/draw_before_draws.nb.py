# notebook: {"otter": {"assignment_name": "compat-config"}}
# %%
import random

import numpy as np
import otter

grader = otter.Notebook()
# %%
warm_up = np.random.random()  # uses up the seeded state first
draws = np.random.randint(0, 100, 4)
# %%
coin = round(random.random(), 6)
# %%
answer = 42
