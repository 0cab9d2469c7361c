"""The grading worker: the program inside the sandbox that executes notebooks and scores them.

It imports nothing from the ``grading`` package (the image holds only this folder and the runner),
so its modules use relative imports and run as ``python -m worker`` in the image and as
``grading.sandbox.worker`` on the host.

Two processes per submission, with a data-only channel between them:

- ``student``: a child forked from this warm process (numpy, scipy, matplotlib and IPython already
  imported), running as an unprivileged user with resource limits and a private scratch folder.
  It executes the notebook's cells one at a time and answers requests for values and calls.
- ``grader``: this process. It holds the tests (unreadable to the child), builds each test's
  arguments from the child's answers (data copied, functions proxied) and runs Otter's own test
  files against them, so nothing a cell replaces in its own process changes a score.
"""

# In ``serve`` mode, the worker's stderr line that closes one submission's log: the host reads
# log and replies on two pipes, and waits for this line before it keeps the log with the reply.
END_OF_LOG = "-- end of log for request"
