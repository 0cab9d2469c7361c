# %%
import otter

grader = otter.Notebook()
