"""Test 6: snippets run with the network blocked, and a snippet that reaches for it fails saying so; the tests' own
process is guarded too."""

import socket

import pytest
from harness import Project
from pytest_socket import SocketConnectBlockedError

REACHES_FOR_THE_WEB = 'import urllib.request\nurllib.request.urlopen("http://example.com/", timeout=5)\n'
REACHES_FOR_THE_HUB = 'from transformers import AutoTokenizer\nAutoTokenizer.from_pretrained("gpt2")\n'
LOOPBACK_IS_FINE = """import socket
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
client = socket.create_connection(server.getsockname())
print("loopback ok")
"""


def run(tmp_path, code):
    (tmp_path / "snippets").mkdir(exist_ok=True)
    script = tmp_path / "snippets" / "example.py"
    script.write_text(code, encoding="utf-8")
    return Project(tmp_path).run_script(script)


def test_a_snippet_that_opens_a_connection_fails_saying_so(tmp_path):
    failure = run(tmp_path, REACHES_FOR_THE_WEB).failure()
    assert failure is not None, "a snippet reached for the network and did not fail"
    assert "snippets/example.py tried to use the network" in failure
    assert "example.com" in failure


def test_a_snippet_that_asks_the_hub_for_a_model_fails(tmp_path):
    failure = run(tmp_path, REACHES_FOR_THE_HUB).failure()
    assert failure is not None, "from_pretrained('gpt2') did not fail offline"
    assert "offline" in failure.lower() or "tried to use the network" in failure, failure


def test_loopback_stays_allowed(tmp_path):
    done = run(tmp_path, LOOPBACK_IS_FINE)
    assert done.failure() is None, done.failure()
    assert done.stdout == "loopback ok\n"


@pytest.mark.filterwarnings("ignore:A test tried to use socket.socket.connect")
def test_the_test_process_itself_may_connect_to_this_machine_only():
    """pytest-socket (--allow-hosts in pyproject.toml) guards the tests' own process, as run_offline.py guards the
    examples' processes: 203.0.113.1 is a documentation address (RFC 5737), refused before any packet is sent."""
    with pytest.raises(SocketConnectBlockedError):  # pytest-socket also warns as it refuses
        socket.create_connection(("203.0.113.1", 80), timeout=1)
