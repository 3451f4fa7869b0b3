"""Shared test setup."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """The models in the tests are tiny: one thread is faster than several on a
    busy two-core machine, and results do not depend on the thread count."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
