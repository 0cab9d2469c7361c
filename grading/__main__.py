import sys

from .warm_cli import forward

code = forward(sys.argv[1:])  # a warm server's child runs it, if one of this code answers
if code is None:
    from .cli import main

    code = main()
raise SystemExit(code)
