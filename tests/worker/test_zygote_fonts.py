"""The zygote's open fonts: reused by the student process it forks, never by that process's own
children (matplotlib's reason for emptying the cache at fork), and the same text metrics."""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import os, sys
from grading.sandbox.worker.zygote import preload
from grading.sandbox.worker.student import forget_fonts_in_forks
preload()
import matplotlib.pyplot as plt
from matplotlib import font_manager

def width():
    fig = plt.figure()
    text = fig.text(0.1, 0.5, "f'(x) = 3x^2 $\\sigma(x)$")
    fig.canvas.draw()
    return float(text.get_window_extent().width)

def in_child(body):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(w, repr(body()).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    return eval(os.read(r, 4096))

def student():
    kept = font_manager._get_font.cache_info().currsize
    forget_fonts_in_forks()
    forked = in_child(lambda: font_manager._get_font.cache_info().currsize)
    return kept, forked, width()

kept, forked, student_width = in_child(student)
fresh_width = in_child(lambda: (font_manager._get_font.cache_clear(), width())[1])
print(kept, forked, student_width == fresh_width)
"""


def test_the_student_process_reuses_the_zygotes_fonts_and_its_children_do_not():
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    kept, forked, same_width = proc.stdout.split()
    assert int(kept) > 0  # the zygote's fonts, still open in the student process
    assert int(forked) == 0  # a process the student forks opens its own
    assert same_width == "True"
