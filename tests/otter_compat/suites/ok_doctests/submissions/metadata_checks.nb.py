# %%
import numpy as np
import otter

grader = otter.Notebook()
# %%
def halve(x):
    return x / 2
# %% {"otter": {"tests": ["q_even", "q_halve"]}}
def is_even(n):
    return n % 2 == 0
# %% {"otter": {"tests": ["q_flag"]}}
flag = "on"
# %%
ratio = 5 / 8
# %%
def countdown(n):
    while n > 0:
        yield n
        n -= 1
# %%
scores = [6, 7, 8, 9]
settings = {"mode": "fast", "level": 3}
# %%
def clip01(x):
    return min(max(x, 0), 1)
# %%
def sign(x):
    return (x > 0) - (x < 0)
# %%
def vowels(word):
    return sum(letter in "aeiouAEIOU" for letter in word)
# %%
def greet(name):
    print(f"Hello, {name or 'stranger'}!")
# %%
def total_cost(prices):
    return sum(prices)
# %%
flag = "off"  # q_flag was checked right after the cell that set it to "on"
