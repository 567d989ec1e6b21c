#!/usr/bin/env python3
"""Runs a command under a time limit and reports what it cost.

    bounded.py SECONDS STDERR_FILE COMMAND...

Prints "STATUS SECONDS MAX_RSS_MB": STATUS is the exit status, or "timeout"
when the command ran past SECONDS and was killed. The command's stdout is
dropped and its stderr goes to STDERR_FILE. Used by tests/suite-hostile.sh
instead of `timeout` plus /usr/bin/time, which Debian does not install by
default, and instead of `ulimit -v`, which sanitizer builds cannot live under.
"""
import resource
import subprocess
import sys
import time

limit = float(sys.argv[1])
with open(sys.argv[2], "wb") as err:
    start = time.monotonic()
    try:
        status = str(subprocess.run(sys.argv[3:], stdout=subprocess.DEVNULL, stderr=err, timeout=limit).returncode)
    except subprocess.TimeoutExpired:
        status = "timeout"
    seconds = time.monotonic() - start
print(status, "%.2f" % seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
