# %%
import numpy as np
import otter

grader = otter.Notebook()
