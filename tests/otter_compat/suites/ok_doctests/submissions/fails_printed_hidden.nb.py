# %%
import numpy as np
import otter

grader = otter.Notebook()
# %%
def halve(x):
    return x / 2
# %%
grader.check("q_halve")
# %%
def is_even(n):
    return n % 2 == 0
# %%
grader.check("q_even")
# %%
flag = "on"
# %%
grader.check("q_flag")
# %%
ratio = 5 / 8
# %%
grader.check("q_ratio")
# %%
def countdown(n):
    while n > 0:
        yield n
        n -= 1
# %%
grader.check("q_countdown")
# %%
scores = [6, 7, 8, 9]
settings = {"mode": "fast", "level": 3}
# %%
grader.check("q_imports")
# %%
def clip01(x):
    return min(max(x, 0), 1)
# %%
grader.check("q_listpoints")
# %%
def sign(x):
    return (x > 0) - (x < 0)
# %%
grader.check("q_mixed")
# %%
def vowels(word):
    return sum(letter in "aeiouAEIOU" for letter in word)
# %%
grader.check("q_strict")
# %%
def greet(name):
    print(f"Hello, {name}!")
# %%
grader.check("q_printed")
# %%
def total_cost(prices):
    return sum(prices)
# %%
grader.check("q_shared")
