"""Run one Python script the way the tests do: with the network blocked.

    python tests/run_offline.py SCRIPT [ARGS...]

Hugging Face libraries are told to stay offline (HF_HUB_OFFLINE=1), and any socket connection to a host
other than this machine raises NetworkBlocked, after printing a line that starts with BLOCKED_MARKER, so
that an example which reaches for the network fails with a message that says so.
"""

import os
import runpy
import socket
import sys

BLOCKED_MARKER = "NETWORK BLOCKED"
LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}


class NetworkBlocked(RuntimeError):
    """Not an OSError on purpose: libraries that retry on connection errors must not swallow it."""


def _refuse(host, port, script):
    message = (f"{BLOCKED_MARKER}: {script} tried to reach {host}:{port}. "
               "Examples must run offline: load models and text from the installed packages "
               "(see docs/offline.md).")
    print(message, file=sys.stderr, flush=True)
    raise NetworkBlocked(message)


def install_guard(script):
    original_connect, original_connect_ex = socket.socket.connect, socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def check(address):
        if isinstance(address, tuple) and address and str(address[0]) not in LOCAL_HOSTS:
            _refuse(address[0], address[1] if len(address) > 1 else "?", script)

    def connect(self, address):
        check(address)
        return original_connect(self, address)

    def connect_ex(self, address):
        check(address)
        return original_connect_ex(self, address)

    def getaddrinfo(host, port, *args, **kwargs):
        if host is not None and str(host if isinstance(host, str) else host.decode()) not in LOCAL_HOSTS:
            _refuse(host, port, script)
        return original_getaddrinfo(host, port, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.getaddrinfo = getaddrinfo


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: python tests/run_offline.py SCRIPT [ARGS...]")
    script = sys.argv[1]
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    install_guard(script)
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(script))  # as `python SCRIPT` would set it
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
