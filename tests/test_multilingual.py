"""Tests of slmsurvey.multilingual: sampling, shared BPE, fertility, adapters, LID."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from slmsurvey.multilingual import (
    LEXICON,
    LEXICON_LANGUAGES,
    NOUNS,
    NUMBERS,
    LanguageAdapters,
    LanguageIdHead,
    PooledEncoder,
    accuracy,
    balanced_sample,
    fertility,
    fertility_by_language,
    fit_full_batch,
    language_sampling_probabilities,
    lexicon_words,
    train_shared_bpe,
)
from slmsurvey.speech import LANGUAGES
from slmsurvey.text import BPETokenizer
from slmsurvey.training import AdaptedLayer, trainable_parameters


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ------------------------------------------------------------------ lexicon
def test_lexicon_is_complete_and_languages_are_espeak_voices():
    assert len(NUMBERS) == 10 and len(NOUNS) == 12
    assert set(LEXICON) == set(NUMBERS) | set(NOUNS)
    for meaning, row in LEXICON.items():
        assert tuple(row) == LEXICON_LANGUAGES, meaning
        assert all(w and " " not in w for w in row.values())
    # every language but English is one of the book's tested espeak languages
    assert set(LEXICON_LANGUAGES) - {"en"} <= set(LANGUAGES)


def test_lexicon_hand_checked_entries():
    assert lexicon_words("de", NUMBERS) == (
        "eins zwei drei vier fünf sechs sieben acht neun zehn".split()
    )
    assert lexicon_words("sw", NUMBERS)[:3] == ["moja", "mbili", "tatu"]
    assert LEXICON["water"]["fi"] == "vesi" and LEXICON["dog"]["ru"] == "собака"


def test_numbers_are_distinct_within_each_language():
    for language in LEXICON_LANGUAGES:
        words = lexicon_words(language, NUMBERS)
        assert len(set(words)) == 10, language


def test_lexicon_is_read_only():
    with pytest.raises(TypeError):
        LEXICON["one"]["en"] = "uno"  # type: ignore[index]


def test_lexicon_words_rejects_bad_input():
    with pytest.raises(ValueError, match="language must be one of"):
        lexicon_words("xx")
    with pytest.raises(TypeError, match="language must be a str"):
        lexicon_words(3)
    with pytest.raises(ValueError, match="meanings must be"):
        lexicon_words("en", ("unicorn",))


# ----------------------------------------------------------------- sampling
@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.5, 1.0, 2.0])
def test_sampling_probabilities_sum_to_one_and_match_formula(alpha):
    sizes = {"en": 1000, "de": 300, "sw": 7, "xx": 0}
    q = language_sampling_probabilities(sizes, alpha)
    assert math.isclose(sum(q.values()), 1.0)
    assert q["xx"] == 0.0
    p = np.array([1000, 300, 7]) / 1307
    expected = p**alpha / (p**alpha).sum()
    assert np.allclose([q["en"], q["de"], q["sw"]], expected, rtol=1e-12)


def test_sampling_limits_and_monotonicity():
    sizes = {"en": 900, "sw": 100}
    assert language_sampling_probabilities(sizes, 1.0)["sw"] == pytest.approx(0.1)
    assert language_sampling_probabilities(sizes, 0.0)["sw"] == pytest.approx(0.5)
    small = [language_sampling_probabilities(sizes, a)["sw"] for a in (1, 0.7, 0.3)]
    assert small == sorted(small)  # smaller alpha, more of the small language


def test_sampling_rejects_bad_input():
    with pytest.raises(ValueError, match="sizes must be a non-empty"):
        language_sampling_probabilities({}, 0.5)
    with pytest.raises(ValueError, match="sizes\\['en'\\]"):
        language_sampling_probabilities({"en": -1}, 0.5)
    with pytest.raises(ValueError, match="at least one positive"):
        language_sampling_probabilities({"en": 0}, 0.5)
    with pytest.raises(ValueError, match="alpha"):
        language_sampling_probabilities({"en": 1}, -0.1)
    with pytest.raises(TypeError, match="alpha"):
        language_sampling_probabilities({"en": 1}, "0.3")


def test_balanced_sample_sizes_follow_q_and_are_seeded():
    data = {"en": [f"e{i}" for i in range(900)], "sw": [f"s{i}" for i in range(100)]}
    sample = balanced_sample(data, 0.5, n_texts=400, seed=3)
    assert {k: len(v) for k, v in sample.items()} == {"en": 300, "sw": 100}
    assert set(sample["sw"]) <= set(data["sw"])
    assert sample == balanced_sample(data, 0.5, n_texts=400, seed=3)
    assert sample != balanced_sample(data, 0.5, n_texts=400, seed=4)


def test_balanced_sample_rejects_bad_corpus():
    with pytest.raises(ValueError, match="texts_by_language must be a non-empty"):
        balanced_sample({}, 0.5)
    with pytest.raises(TypeError, match="texts_by_language\\['en'\\]"):
        balanced_sample({"en": "a text"}, 0.5)
    with pytest.raises(ValueError, match="texts_by_language\\['en'\\]"):
        balanced_sample({"en": ["ok", ""]}, 0.5)
    with pytest.raises(ValueError, match="n_texts"):
        balanced_sample({"en": ["ok"]}, 0.5, n_texts=0)


# ---------------------------------------------------------------- fertility
def word_salad(language, n, seed):
    rng = np.random.default_rng(seed)
    words = lexicon_words(language)
    return [" ".join(rng.choice(words, 6)) for _ in range(n)]


def test_fertility_hand_worked():
    bpe = BPETokenizer(258).fit(["aa aa aa aa"])
    assert fertility(bpe, ["aa aa, bb"]) == pytest.approx(5 / 3)
    assert fertility(bpe, ["!!! aa ..."]) == 1.0  # punctuation is not a word


def test_fertility_of_untrained_bytes_counts_utf8_bytes():
    bpe = BPETokenizer(256).fit(["x"])  # bytes only
    assert fertility(bpe, ["vesi"]) == 4.0
    assert fertility(bpe, ["päivä"]) == 7.0  # ä is two bytes
    assert fertility(bpe, ["дом"]) == 6.0  # Cyrillic: two bytes per letter


def test_fertility_rejects_bad_input():
    bpe = BPETokenizer(256).fit(["x"])
    with pytest.raises(ValueError, match="texts must be a non-empty"):
        fertility(bpe, [])
    with pytest.raises(ValueError, match="texts must be a non-empty"):
        fertility(bpe, "a string")
    with pytest.raises(ValueError, match="no words"):
        fertility(bpe, ["...", "  "])
    with pytest.raises(TypeError, match="tokenizer must have an encode"):
        fertility(object(), ["word"])
    with pytest.raises(TypeError, match="texts\\[1\\]"):
        fertility(bpe, ["word", 3])


def test_smoothing_lowers_fertility_of_a_low_resource_language():
    data = {"en": word_salad("en", 2000, 0), "ru": word_salad("ru", 40, 1)}
    held_out = {"en": word_salad("en", 50, 2), "ru": word_salad("ru", 50, 3)}
    by_data = fertility_by_language(train_shared_bpe(data, 330, alpha=1.0), held_out)
    uniform = fertility_by_language(train_shared_bpe(data, 330, alpha=0.0), held_out)
    assert by_data["ru"] > by_data["en"] + 3
    assert uniform["ru"] < by_data["ru"] - 3
    assert uniform["en"] > by_data["en"] + 1


def test_train_shared_bpe_is_seeded():
    data = {"en": word_salad("en", 200, 0), "fi": word_salad("fi", 20, 1)}
    a = train_shared_bpe(data, 300, alpha=0.3, seed=1)
    b = train_shared_bpe(data, 300, alpha=0.3, seed=1)
    assert a.merges_ == b.merges_
    with pytest.raises(ValueError, match="vocab_size"):
        train_shared_bpe(data, 100)


# ----------------------------------------------------------------- adapters
def make_encoder(seed=0):
    torch.manual_seed(seed)
    return PooledEncoder(6, 8, 2)


def test_language_adapters_only_active_language_trains_and_backbone_is_fixed():
    torch.manual_seed(0)
    encoder = make_encoder()
    backbone = {k: v.clone() for k, v in encoder.state_dict().items()}
    model = LanguageAdapters(encoder, list(encoder.blocks), ["de", "fr"], 3)
    head = nn.Linear(8, 2)
    net = nn.Sequential(model, head)
    de_before = [p.clone() for p in model.adapters["de"].parameters()]
    fr_before = [p.clone() for p in model.adapters["fr"].parameters()]
    trained = trainable_parameters(net)
    adapter_ids = {id(p) for p in model.adapters["de"].parameters()}
    head_ids = {id(p) for p in head.parameters()}
    assert {id(p) for p in trained} == adapter_ids | head_ids
    X, y = torch.randn(32, 6), torch.randint(0, 2, (32,))
    fit_full_batch(net, X, y, epochs=20, lr=1e-2)
    for name, value in encoder.state_dict().items():
        if ".adapter." in name:
            continue
        key = name.replace(".layer.", ".")
        assert torch.equal(value, backbone[key]), name  # bit-identical
    assert any(
        not torch.equal(a, b)
        for a, b in zip(de_before, model.adapters["de"].parameters(), strict=True)
    )
    for a, b in zip(fr_before, model.adapters["fr"].parameters(), strict=True):
        assert torch.equal(a, b)  # the inactive language did not move


def test_switching_language_switches_adapters():
    encoder = make_encoder()
    model = LanguageAdapters(encoder, list(encoder.blocks), ["de", "fr"], 3)
    slots = [m for m in encoder.modules() if isinstance(m, AdaptedLayer)]
    assert len(slots) == 2
    assert all(s.adapter is a for s, a in zip(slots, model.adapters["de"], strict=True))
    with torch.no_grad():
        for p in model.adapters["fr"].parameters():
            p.add_(0.5)
    x = torch.randn(4, 6)
    out_de = model(x)
    model.set_language("fr")
    assert all(s.adapter is a for s, a in zip(slots, model.adapters["fr"], strict=True))
    assert not torch.allclose(model(x), out_de)
    assert [p.requires_grad for p in model.adapters["de"].parameters()] == [False] * 8
    assert all(p.requires_grad for p in model.adapters["fr"].parameters())
    assert torch.equal(model.set_language("de")(x), out_de)


def test_adapters_start_near_identity_and_count_parameters():
    encoder = make_encoder()
    x = torch.randn(5, 6)
    before = encoder(x)
    model = LanguageAdapters(encoder, list(encoder.blocks), ["a", "b", "c"], 4)
    assert torch.allclose(model(x), before, atol=1e-3)
    assert model.n_parameters_per_language() == 2 * (2 * 8 * 4 + 8 + 4)


def test_add_language_copies_or_initialises():
    encoder = make_encoder()
    model = LanguageAdapters(encoder, list(encoder.blocks), ["de"], 3)
    with torch.no_grad():
        for p in model.adapters["de"].parameters():
            p.add_(1.0)
    model.add_language("nl", like="de")
    for a, b in zip(
        model.adapters["de"].parameters(),
        model.adapters["nl"].parameters(),
        strict=True,
    ):
        assert torch.equal(a, b) and a is not b
    assert model.language == "de" and "nl" in model.languages
    with pytest.raises(ValueError, match="already has adapters"):
        model.add_language("de")
    with pytest.raises(ValueError, match="like must be one of"):
        model.add_language("sv", like="xx")


def test_language_adapters_reject_bad_input():
    with pytest.raises(TypeError, match="encoder must be"):
        LanguageAdapters("net", [], ["de"], 2)
    encoder = make_encoder()
    with pytest.raises(ValueError, match="languages must be distinct"):
        LanguageAdapters(encoder, list(encoder.blocks), ["de", "de"], 2)
    with pytest.raises(ValueError, match="languages must be a non-empty"):
        LanguageAdapters(make_encoder(), list(make_encoder().blocks), [], 2)
    with pytest.raises(TypeError, match="languages must be a list"):
        LanguageAdapters(make_encoder(), [], "de", 2)
    encoder = make_encoder()
    model = LanguageAdapters(encoder, list(encoder.blocks), ["de"], 2)
    with pytest.raises(ValueError, match="language must be one of"):
        model.set_language("fr")


# ---------------------------------------------------------------------- LID
def test_language_id_head_shapes_and_pooling():
    torch.manual_seed(0)
    head = LanguageIdHead(4, ["de", "fr", "sw"])
    h = torch.randn(2, 5, 4)
    lengths = torch.tensor([5, 2])
    logits = head(h, lengths)
    assert logits.shape == (2, 3)
    pooled = torch.stack([h[0].mean(0), h[1, :2].mean(0)])  # (B, d)
    assert torch.allclose(logits, head(pooled), atol=1e-6)
    assert head(h).shape == (2, 3)
    assert set(head.predict(h, lengths)) <= {"de", "fr", "sw"}


def test_language_id_head_learns_a_separable_problem():
    torch.manual_seed(0)
    centres = torch.randn(3, 8) * 4
    y = torch.arange(3).repeat_interleave(30)
    X = centres[y] + torch.randn(90, 8)
    head = LanguageIdHead(8, ["en", "de", "sw"])
    losses = fit_full_batch(head, X, y, epochs=100, lr=5e-2)
    assert losses[-1] < 0.1 * losses[0]
    assert accuracy(head, X, y) == 1.0
    assert head.predict(centres) == ["en", "de", "sw"]


def test_language_id_head_rejects_bad_input():
    with pytest.raises(ValueError, match="at least two distinct"):
        LanguageIdHead(4, ["de"])
    with pytest.raises(TypeError, match="languages must be a list"):
        LanguageIdHead(4, "de")
    head = LanguageIdHead(4, ["de", "fr"])
    with pytest.raises(ValueError, match="shape \\(B, d\\) or \\(B, N, d\\)"):
        head(torch.randn(2, 5))
    with pytest.raises(ValueError, match="lengths must hold"):
        head(torch.randn(2, 3, 4), torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="lengths is only"):
        head(torch.randn(2, 4), torch.tensor([1, 1]))
    with pytest.raises(TypeError, match="h must be"):
        head(torch.ones(2, 4, dtype=torch.long))


def test_pooled_encoder_and_fit_reject_bad_input():
    encoder = PooledEncoder(6, 8, 3)
    assert len(encoder.blocks) == 3
    with pytest.raises(ValueError, match="d_in=6"):
        encoder(torch.randn(2, 5))
    with pytest.raises(ValueError, match="n_layers"):
        PooledEncoder(6, 8, 0)
    X, y = torch.randn(4, 6), torch.tensor([0, 1, 0, 1])
    model = nn.Sequential(encoder, nn.Linear(8, 2))
    with pytest.raises(TypeError, match="y must be an int64"):
        fit_full_batch(model, X, y.float())
    with pytest.raises(ValueError, match="X has 4 rows but y has 3"):
        fit_full_batch(model, X, y[:3])
    with pytest.raises(ValueError, match="lr"):
        fit_full_batch(model, X, y, lr=0.0)
    with pytest.raises(ValueError, match="parameters is empty"):
        fit_full_batch(model, X, y, parameters=[])
    with pytest.raises(TypeError, match="model must be"):
        fit_full_batch("model", X, y)


def test_fit_full_batch_trains_only_given_parameters():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.GELU(), nn.Linear(4, 2))
    first = model[0].weight.clone()
    X, y = torch.randn(10, 3), torch.randint(0, 2, (10,))
    fit_full_batch(model, X, y, parameters=model[2].parameters(), epochs=5)
    assert torch.equal(model[0].weight, first)
