"""setup(): seeds, thread caps and device; glue() outside a book build."""

import random

import numpy as np
import pytest
import torch

import slmsurvey
from slmsurvey import runtime
from slmsurvey.runtime import available_cpus


@pytest.fixture(autouse=True)
def keep_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_setup_seeds_every_generator():
    slmsurvey.setup(seed=3)
    first = (random.random(), np.random.rand(), torch.rand(1).item())  # noqa: NPY002
    slmsurvey.setup(seed=3)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == first  # noqa: NPY002


def test_setup_returns_a_device(monkeypatch):
    monkeypatch.delenv("SLMSURVEY_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert slmsurvey.setup().type == expected
    monkeypatch.setenv("SLMSURVEY_DEVICE", "cpu")
    assert slmsurvey.setup() == torch.device("cpu")


def test_threads_are_capped(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    slmsurvey.setup()
    assert torch.get_num_threads() == available_cpus()
    slmsurvey.setup(max_threads=1)
    assert torch.get_num_threads() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    slmsurvey.setup()
    assert torch.get_num_threads() == 1


def test_bad_arguments():
    with pytest.raises(TypeError, match="seed must be an int"):
        slmsurvey.setup(seed=1.5)
    with pytest.raises(ValueError, match="max_threads must be at least 1"):
        slmsurvey.setup(max_threads=0)
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        slmsurvey.glue("", 1.0)


def test_glue_records_python_numbers(monkeypatch):
    import myst_nb

    recorded = {}
    monkeypatch.setattr(
        myst_nb, "glue", lambda name, value, display: recorded.update({name: value})
    )
    slmsurvey.glue("x", np.float64(2.5))
    assert recorded == {"x": 2.5} and type(recorded["x"]) is float


@pytest.mark.parametrize(
    ("variable", "where"),
    [("COLAB_RELEASE_TAG", "Colab"), ("BINDER_SERVICE_HOST", "Binder"), ("CI", "CI")],
)
def test_environment_says_where_it_runs(monkeypatch, variable, where):
    for name in ("COLAB_RELEASE_TAG", "BINDER_SERVICE_HOST", "BINDER_LAUNCH_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert runtime.environment()["where"] == "local"
    monkeypatch.setenv(variable, "1")
    assert runtime.environment()["where"] == where


def test_env_report_prints_versions_and_devices(capsys):
    slmsurvey.env_report()
    lines = dict(
        line.split(maxsplit=1) for line in capsys.readouterr().out.splitlines()
    )
    assert lines["torch"] == torch.__version__
    assert lines["python"].startswith("3.")
    assert lines["gpu"] == ("none" if not torch.cuda.is_available() else lines["gpu"])
    assert set(lines) >= {"where", "slmsurvey", "numpy", "cpus", "platform"}
