"""Self-check of chapter 5.2.1: the reference passes, wrong answers get hints."""

import torch
import torch.nn.functional as torch_F

from slmsurvey import check
from slmsurvey.check import multimodal


def test_5_2_1_module_exports_its_check():
    assert multimodal.__all__ == ["ex_5_2_1_clip_loss"]
    assert check.ex_5_2_1_clip_loss is multimodal.ex_5_2_1_clip_loss


def clip_by_hand(a, b, temperature):
    S = torch_F.normalize(a, dim=1) @ torch_F.normalize(b, dim=1).T / temperature
    target = torch.arange(len(a))
    return 0.5 * (torch_F.cross_entropy(S, target) + torch_F.cross_entropy(S.T, target))


def test_5_2_1_clip_loss_reference_passes():
    result = check.ex_5_2_1_clip_loss(clip_by_hand)
    assert result
    assert "clip_loss" in result.message
    assert check.ex_5_2_1_clip_loss(lambda a, b, t: clip_by_hand(a, b, t).item())


def test_5_2_1_clip_loss_one_direction_fails_with_hint():
    def one_way(a, b, temperature):
        S = torch_F.normalize(a, dim=1) @ torch_F.normalize(b, dim=1).T / temperature
        return torch_F.cross_entropy(S, torch.arange(len(a)))

    result = check.ex_5_2_1_clip_loss(one_way)
    assert not result
    assert result.message.startswith("for B = 2, D = 3, temperature = 1,")
    assert "one direction only" in result.message


def test_5_2_1_clip_loss_slips_get_their_hints():
    def unnormalised(a, b, temperature):
        S = a @ b.T / temperature
        target = torch.arange(len(a))
        return 0.5 * (
            torch_F.cross_entropy(S, target) + torch_F.cross_entropy(S.T, target)
        )

    result = check.ex_5_2_1_clip_loss(unnormalised)
    assert not result and "Normalise" in result.message
    result = check.ex_5_2_1_clip_loss(lambda a, b, t: clip_by_hand(a, b, 1.0))
    assert not result and "temperature" in result.message
    result = check.ex_5_2_1_clip_loss(lambda a, b, t: len(a) * clip_by_hand(a, b, t))
    assert not result and "Average" in result.message


def test_5_2_1_clip_loss_reports_errors_and_wrong_types():
    def broken(a, b, temperature):
        raise RuntimeError("shapes")

    result = check.ex_5_2_1_clip_loss(broken)
    assert not result and "raised RuntimeError: shapes" in result.message
    result = check.ex_5_2_1_clip_loss(lambda a, b, t: "loss")
    assert not result and "expected a number" in result.message
    assert not check.ex_5_2_1_clip_loss(42)
