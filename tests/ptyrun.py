"""Run a command under a real pseudo-terminal (stdin, stdout and stderr all a TTY), as a user's shell would."""
from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time


def run_in_pty(argv: list[str], *, cwd=None, env=None, timeout: float = 120.0) -> tuple[int, str]:
    """Fork `argv` on a new pty, read everything it writes until it exits; return (exit code, output).

    Fails (AssertionError) when the command outlives `timeout`: it is killed, never left running."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the command, or report why not
        try:
            # An 80x24 window, as a terminal emulator gives (a bare pty reports 0x0 columns).
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            if cwd is not None:
                os.chdir(cwd)
            os.execvpe(argv[0], argv, env if env is not None else os.environ)
        except BaseException as e:  # noqa: BLE001 - anything here must end the child, not run the tests twice
            os.write(2, f"exec failed: {e!r}\n".encode())
        finally:
            os._exit(127)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise AssertionError(f"{argv} ran over {timeout} s; output so far:\n"
                                     + b"".join(chunks).decode("utf-8", "replace"))
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed its end of the terminal (it exited)
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")
