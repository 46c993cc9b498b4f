"""suqiu (诉求): citizen demand analytics for the 12345 hotline, portal messages and reviews."""

__version__ = "0.1.0"
