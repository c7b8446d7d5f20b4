"""The generated shapes dataset: deterministic, consistent captions, fixed features."""
from __future__ import annotations

import numpy as np
import pytest

from reference_models import shapes


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
