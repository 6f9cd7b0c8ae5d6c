"""`make demo`: the demo command (flowkit/demo_command.py), from this checkout. A task author's
installed package runs the same command as `connect-async play`."""

from flowkit.demo_command import main

if __name__ == "__main__":
    raise SystemExit(main())
