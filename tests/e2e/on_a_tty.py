#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers its prompts, for tools that read their
input from /dev/tty (GnuPG 2.4's gpg-card). Standard library only.

    python3 tests/e2e/on_a_tty.py SCRIPT -- COMMAND [ARG...]

SCRIPT is a JSON list of [pattern, answer] pairs: for each in turn, the output is read until
the regular expression `pattern` matches what came since the previous match, then `answer`
and a newline are typed. After the last pair the command's remaining output is read until it
exits. Everything the command wrote goes to standard output; the exit status is the
command's, or 124 when a pattern did not appear within the timeout (E2E_TTY_TIMEOUT seconds,
default 30), with the pattern named on standard error.
"""

import json
import os
import pty
import re
import select
import sys
import time


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    script = json.loads(sys.argv[1])
    command = sys.argv[3:]
    timeout = float(os.environ.get("E2E_TTY_TIMEOUT", "30"))

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)

    seen = b""
    pending = b""
    out = sys.stdout.buffer

    def read(deadline: float) -> bool:
        """Reads what is available until the deadline; False at end of output."""
        nonlocal seen, pending
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return True
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return False
        if not chunk:
            return False
        out.write(chunk)
        out.flush()
        seen += chunk
        pending += chunk
        return True

    status = 0
    for pattern, answer in script:
        regex = re.compile(pattern.encode())
        deadline = time.monotonic() + timeout
        alive = True
        while not regex.search(pending):
            if time.monotonic() > deadline or not alive:
                print(f"\non_a_tty.py: no prompt matching {pattern!r}", file=sys.stderr)
                status = 124
                break
            alive = read(deadline)
        if status:
            break
        pending = b""
        # gpg-card prints its prompt before it switches the terminal mode: give it a moment.
        time.sleep(0.05)
        os.write(fd, answer.encode() + b"\n")
    if status:
        os.kill(pid, 9)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and read(deadline):
        pass
    _, code = os.waitpid(pid, 0)
    if status:
        return status
    return os.waitstatus_to_exitcode(code)


if __name__ == "__main__":
    sys.exit(main())
