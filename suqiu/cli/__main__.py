"""``python -m suqiu.cli``: the same command line as the ``suqiu`` script."""

from suqiu.cli import main

main()
