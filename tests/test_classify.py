"""pooled_features and WordClassifier: masking, learning, bad input."""

import pytest
import torch

from slmsurvey.speech.classify import WordClassifier, pooled_features


def test_pooling_ignores_padding_and_matches_direct_statistics():
    torch.manual_seed(0)
    x = torch.randn(3, 7, 4, dtype=torch.float64)
    lengths = torch.tensor([7, 4, 1])
    z = pooled_features(x, lengths)
    for b, n in enumerate(lengths.tolist()):
        valid = x[b, :n]
        assert torch.allclose(z[b, :4], valid.mean(0))
        assert torch.allclose(z[b, 4:], valid.std(0, unbiased=False))
    x[1, 4:] = 1e6  # padding must not matter
    assert torch.allclose(pooled_features(x, lengths)[1], z[1])


def test_classifier_learns_separable_classes_and_is_seeded():
    g = torch.Generator().manual_seed(0)
    X = torch.cat(
        [torch.randn(30, 6, generator=g) + 2, torch.randn(30, 6, generator=g) - 2]
    )
    labels = ["a"] * 30 + ["b"] * 30
    clf = WordClassifier(epochs=100).fit(X, labels)
    assert clf.error_rate(X, labels) == 0.0
    assert clf.classes_ == ["a", "b"]
    again = WordClassifier(epochs=100).fit(X, labels)
    assert torch.equal(clf.net_[0].weight, again.net_[0].weight)
    assert (
        WordClassifier(hidden=0, epochs=100).fit(X, labels).error_rate(X, labels) == 0
    )


def test_bad_input():
    X = torch.randn(4, 2)
    with pytest.raises(ValueError, match="shape \\(B, N, F\\)"):
        pooled_features(X, torch.tensor([1, 1, 1, 1]))
    with pytest.raises(ValueError, match="lengths must hold"):
        pooled_features(torch.randn(2, 3, 1), torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="must not exceed"):
        pooled_features(torch.randn(2, 3, 1), torch.tensor([4, 3]))
    with pytest.raises(ValueError, match="two classes"):
        WordClassifier().fit(X, ["a"] * 4)
    with pytest.raises(ValueError, match="labels has 3"):
        WordClassifier().fit(X, ["a", "b", "a"])
    with pytest.raises(TypeError, match="float tensor"):
        WordClassifier().fit(X.long(), ["a", "b"] * 2)
    with pytest.raises(ValueError, match="NaN"):
        WordClassifier().fit(torch.full((4, 2), float("nan")), ["a", "b"] * 2)
    with pytest.raises(ValueError, match="not fitted"):
        WordClassifier().predict(X)
    with pytest.raises(ValueError, match="epochs"):
        WordClassifier(epochs=0).fit(X, ["a", "b"] * 2)
