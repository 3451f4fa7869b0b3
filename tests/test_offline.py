"""Quality gate: ``make notebooks`` and ``make book-check`` run offline.

Both run their command through ``tools/offline.sh``, which cuts the network
off (a new network namespace with only the loopback up) where the machine
allows it. These tests prove that, inside the wrapper, the internet cannot
be reached while the loopback that Jupyter kernels need still works, and
that elsewhere the wrapper warns and runs the command anyway.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OFFLINE = ROOT / "tools" / "offline.sh"
PROBE = """
import socket, sys
host = sys.argv[1]
if host == "loopback":
    server = socket.create_server(("127.0.0.1", 0))
    socket.create_connection(server.getsockname(), timeout=5).close()
else:
    socket.create_connection((host, 443), timeout=10).close()
"""


def namespaces_allowed() -> bool:
    try:
        cmd = ["unshare", "-rn", "sh", "-c", "ip link set lo up"]
        return subprocess.run(cmd, capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


def offline(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(OFFLINE), *args], capture_output=True, text=True, timeout=60, **kwargs
    )


def test_makefile_runs_notebooks_and_book_check_offline():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("notebooks", "book-check"):
        recipe = makefile.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
        assert "tools/offline.sh" in recipe, f"make {target} is not offline"


@pytest.mark.skipif(not namespaces_allowed(), reason="no network namespaces here")
@pytest.mark.parametrize("host", ["pypi.org", "151.101.0.223"])  # name, address
def test_internet_is_unreachable_inside(host):
    result = offline(sys.executable, "-c", PROBE, host)
    assert result.returncode != 0
    assert any(
        message in result.stderr
        for message in ("name resolution", "unreachable", "Name or service")
    ), result.stderr


@pytest.mark.skipif(not namespaces_allowed(), reason="no network namespaces here")
def test_loopback_works_inside_and_exit_status_passes_through():
    assert offline(sys.executable, "-c", PROBE, "loopback").returncode == 0
    assert offline("sh", "-c", "exit 3").returncode == 3
    assert offline("echo", "two words", "x").stdout == "two words x\n"


def test_without_namespaces_it_warns_and_runs(tmp_path):
    bin_dir = tmp_path / "bin"  # a PATH with sh and echo, without unshare
    bin_dir.mkdir()
    for tool in ("sh", "echo"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    result = offline("echo", "ran", env={**os.environ, "PATH": str(bin_dir)})
    assert result.returncode == 0
    assert result.stdout == "ran\n"
    assert "WARNING: cannot cut the network off" in result.stderr
