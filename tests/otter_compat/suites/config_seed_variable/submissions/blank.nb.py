# %%
import random

import numpy as np
import otter

grader = otter.Notebook()
SEED = 0  # the grader sets its own value at the top of every cell
