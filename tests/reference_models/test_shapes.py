"""The generated shapes dataset: deterministic, consistent captions, fixed features."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from capeval.document_frequencies import DocumentFrequencies
from capeval.metrics.cider import CiderD
from capeval.reference_models import shapes


@pytest.fixture(scope="module")
def data():
    return shapes.generate(60, np.random.default_rng(3))


def test_same_seed_same_data_and_different_seed_different_data(data):
    again = shapes.generate(60, np.random.default_rng(3))
    np.testing.assert_array_equal(again.images, data.images)
    np.testing.assert_array_equal(again.features, data.features)
    assert again.captions == data.captions
    other = shapes.generate(60, np.random.default_rng(4))
    assert other.captions != data.captions


def test_shapes_of_arrays(data):
    S, L = shapes.IMAGE_SIZE, shapes.GRID**2
    assert data.images.shape == (60, S, S, 3) and data.images.dtype == np.float32
    assert data.features.shape == (60, shapes.GLOBAL_DIM) and data.features.dtype == np.float32
    assert data.regions.shape == (60, L, shapes.REGION_DIM)
    assert 0 <= data.images.min() and data.images.max() <= 1


def test_five_different_captions_naming_both_shapes(data):
    for scene, captions in zip(data.scenes, data.captions, strict=True):
        texts = [" ".join(c) for c in captions]
        assert len(texts) == 5 == len(set(texts))
        for text in texts:
            for shape in scene.shapes:
                assert f"{shape.colour} {shape.shape}" in text


RELATION_WORDS = {"left": "left", "right": "right", "above": "above", "over": "above",
                  "below": "below", "under": "below"}
OPPOSITE = {"left": "right", "right": "left", "above": "below", "below": "above"}


def test_relation_words_agree_with_positions(data):
    checked = 0
    for scene, captions in zip(data.scenes, data.captions, strict=True):
        a, b = scene.shapes
        if scene.relation in ("left", "right"):
            assert (a.x < b.x) == (scene.relation == "left")
            assert abs(a.y - b.y) < abs(a.x - b.x)
        else:
            assert (a.y < b.y) == (scene.relation == "above")
            assert abs(a.x - b.x) < abs(a.y - b.y)
        for caption in captions:
            spots = [i for i, word in enumerate(caption) if word in RELATION_WORDS]
            if not spots:
                assert "and" in caption
                continue
            said = RELATION_WORDS[caption[spots[0]]]
            # The subject is the shape named last before the relation word.
            before = caption[: spots[0]]
            shape_positions = [max((i for i in range(len(before) - 1)
                                    if before[i : i + 2] == [s.colour, s.shape]), default=-1)
                               for s in scene.shapes]
            subject = int(np.argmax(shape_positions))
            assert said == (scene.relation if subject == 0 else OPPOSITE[scene.relation]), caption
            checked += 1
    assert checked > 100


def test_the_global_vector_locates_both_shapes_largest_first(data):
    """Object slots: centres within 2 pixels of the shapes', and the offset gives the relation."""
    S, D = shapes.IMAGE_SIZE, shapes.OBJECT_DIM
    for scene, vector in zip(data.scenes, data.features, strict=True):
        slots = vector[: shapes.OBJECTS * D].reshape(shapes.OBJECTS, D)
        areas, centres = slots[:, -3], (slots[:, -2:] / 2 + 1) * S / 2  # pixels
        assert areas[0] >= areas[1] > 0
        truth = np.array([[shape.x, shape.y] for shape in scene.shapes])
        distance = np.linalg.norm(centres[:, np.newaxis] - truth[np.newaxis], axis=-1)
        match = distance.argmin(axis=1)
        assert sorted(match) == [0, 1] and distance.min(axis=1).max() < 2.0  # triangles: centroid
        dx, dy = vector[-2:] if match[0] == 0 else -vector[-2:]  # shape 0 relative to shape 1
        said = ("left" if dx < 0 else "right") if abs(dx) > abs(dy) else (
            "above" if dy < 0 else "below")
        assert said == scene.relation


def test_regions_end_with_their_cell_centres(data):
    centres = data.regions[0, :, -2:]
    assert np.allclose(data.regions[:, :, -2:], centres)
    assert np.allclose(centres[: shapes.GRID, 0], [-0.75, -0.25, 0.25, 0.75])  # first row: x
    assert np.allclose(centres[:: shapes.GRID, 1], [-0.75, -0.25, 0.25, 0.75])  # first column: y


def test_the_left_shape_is_brighter_in_the_left_regions():
    """Region features see where a colour is: a red shape on the left lights up left regions."""
    rng = np.random.default_rng(0)
    for _ in range(20):
        scene = shapes.random_scene(rng)
        if scene.relation == "left" and scene.shapes[0].colour == "red":
            break
    else:
        scene = shapes.Scene((shapes.Shape("red", "square", "large", 8, 16, 6),
                              shapes.Shape("blue", "circle", "large", 24, 16, 6)), "left")
    image = shapes.render(scene, rng)
    _, regions = shapes.extract_features(image[np.newaxis])
    red_corner = 4  # (1, 0, 0) among the RGB cube corners ordered r, g, b
    red = regions[0, :, red_corner].reshape(shapes.GRID, shapes.GRID)
    left, right = red[:, :2].sum(), red[:, 2:].sum()
    assert left > 3 * right


def test_the_most_probable_caption_is_the_consensus_caption():
    """Decoding for the mode of the references is decoding for consensus (CIDEr-D).

    For each scene, the most frequent caption of many reference draws is compared with the
    next most frequent ones by their mean CIDEr-D against fresh sets of five references: the
    mode must score best (were two phrasings equally common, the mode would be a coin flip
    between a consensus caption and a less typical one).
    """
    rng = np.random.default_rng(11)
    corpus = shapes.generate(200, rng)
    cider = CiderD(document_frequencies=DocumentFrequencies.from_references(corpus.captions))
    regrets = []
    for scene in corpus.scenes[:10]:
        counts = Counter(" ".join(c) for _ in range(200) for c in _describe(scene, rng))
        candidates = [caption.split() for caption, _ in counts.most_common(6)]
        reference_sets = [_describe(scene, rng) for _ in range(60)]
        mean_scores = np.mean([cider.sentence_scores(candidates, [refs] * len(candidates))[:, 0]
                               for refs in reference_sets], axis=0)
        regrets.append(mean_scores.max() - mean_scores[0])
    assert sum(regret == 0 for regret in regrets) >= 8, regrets
    assert np.mean(regrets) < 0.01, regrets


def _describe(scene, rng):
    return [caption.split() for caption in shapes.describe(scene, rng)]
