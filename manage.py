#!/usr/bin/env python
"""Django's command-line utility; `konbit` (konbit/cli.py) is the same entry point, installed."""

from konbit.cli import main

if __name__ == "__main__":
    main()
