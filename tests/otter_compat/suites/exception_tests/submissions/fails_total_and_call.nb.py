# %%
import otter

grader = otter.Notebook()
# %%
import math


def circle_area(r):
    return math.pi * r**2
# %%
grader.check("e_area")
# %%
leg_out = 3.5
leg_back = 3.5
unit = "km"
# %%
grader.check("e_env")
# %%
def shout(text):
    return text.upper() + "!"
# %%
grader.check("e_strict")
# %%
def median3(a, b, c):
    return b
# %%
grader.check("e_total")
# %%
def scale(x):
    return x
# %%
grader.check("e_call")
# %%
def speed(km, hours):
    return km / hours
# %%
grader.check("e_support")
