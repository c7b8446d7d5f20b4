"""A procedurally generated captioning dataset: two coloured shapes and their spatial relation.

Every scene holds two shapes (circle, square or triangle; five colours; small or large) on a
dark, slightly noisy background, one clearly left of, right of, above or below the other.
Images are rendered in NumPy with 2x supersampling. Each image gets five different
paraphrases from a fixed set of templates (which shape is named first, synonyms of the
relation and whether sizes are mentioned vary), so references disagree the way human ones
do. Everything is determined by the generator passed in.

`extract_features` is a fixed, training-free feature extractor. Per pixel it computes a soft
colour assignment to the eight corners of the RGB cube and a gradient-orientation histogram
(as HOG does). The global vector describes objects, in the manner of the detector features of
bottom-up attention (Anderson et al., CVPR 2018): the foreground's connected components,
largest first, each with its colour, edge orientations, area and centre, and the offset
between the two largest. Region features average the per-pixel descriptors over a 4 x 4 grid
and add each cell's position, for soft attention.

Letters used in shapes: N images, S image side in pixels, L regions, R region feature size,
F global feature size.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

IMAGE_SIZE = 32
"""S: images are S x S RGB."""
GRID = 4
"""Regions form a GRID x GRID grid (L = 16)."""

COLOURS = {
    "red": (0.9, 0.15, 0.1),
    "green": (0.15, 0.8, 0.2),
    "blue": (0.15, 0.3, 0.95),
    "yellow": (0.95, 0.9, 0.15),
    "purple": (0.65, 0.2, 0.85),
}
SHAPES = ("circle", "square", "triangle")
SIZES = {"small": (3.2, 4.4), "large": (5.6, 7.2)}
"""Radius range in pixels of each size."""

RELATIONS = {"left": "right", "right": "left", "above": "below", "below": "above"}
"""Each relation of A to B and the relation of B to A."""
COLOUR_NAMES, SIZE_NAMES, RELATION_NAMES = tuple(COLOURS), tuple(SIZES), tuple(RELATIONS)
RELATION_PHRASES = {
    "left": {"to the left of": 0.75, "left of": 0.25},
    "right": {"to the right of": 0.75, "right of": 0.25},
    "above": {"above": 0.75, "over": 0.25},
    "below": {"below": 0.75, "under": 0.25},
}
"""Phrasings of each relation and how often a describer picks each. The common phrasing is
also the consensus one: "left of" is part of "to the left of", so a caption with the long
phrasing shares n-grams with references of either phrasing."""
TEMPLATES = {
    "a {A} {rel} a {B}": 0.4,
    "a {A} is {rel} a {B}": 0.15,
    "the {A} is {rel} the {B}": 0.15,
    "there is a {A} {rel} a {B}": 0.1,
    "a {A} that is {rel} a {B}": 0.1,
    "a {B} with a {A} {rel} it": 0.1,
}
"""Caption templates and how often a describer picks each (one phrasing dominates, as in
human captions, so that the most probable caption is also the most typical one)."""
CAPTIONS_PER_IMAGE = 5
SIZE_MENTION_PROBABILITY = 0.25
SALIENT_FIRST_PROBABILITY = 0.8
"""How often a caption names the larger shape first (people name salient objects first)."""


@dataclass(frozen=True)
class Shape:
    colour: str
    shape: str
    size: str
    x: float  # centre, pixels from the left
    y: float  # centre, pixels from the top
    radius: float


@dataclass(frozen=True)
class Scene:
    """Two shapes; `relation` says where ``shapes[0]`` is relative to ``shapes[1]``."""

    shapes: tuple[Shape, Shape]
    relation: str


def random_scene(rng: np.random.Generator) -> Scene:
    """Draw two shapes placed so that their relation is unambiguous and they do not touch."""
    relation = RELATION_NAMES[rng.integers(len(RELATION_NAMES))]
    colours = rng.integers(len(COLOUR_NAMES), size=2)
    while True:
        kinds = rng.integers(len(SHAPES), size=2)
        if colours[0] != colours[1] or kinds[0] != kinds[1]:
            break  # two identical objects would make "the red circle" ambiguous
    horizontal = relation in ("left", "right")
    first_before = relation in ("left", "above")  # shape 0 has the smaller coordinate
    while True:  # two large shapes may not fit side by side: then the sizes are redrawn too
        sizes = rng.integers(len(SIZE_NAMES), size=2)
        radii = [rng.uniform(*SIZES[SIZE_NAMES[z]]) for z in sizes]
        centres = [_place(rng, r) for r in radii]
        along = [c[0] if horizontal else c[1] for c in centres]
        across = [c[1] if horizontal else c[0] for c in centres]
        if (along[0] < along[1]) != first_before:
            along.reverse()
        gap = abs(along[1] - along[0])
        if gap > radii[0] + radii[1] + 2 and abs(across[1] - across[0]) < 0.5 * gap:
            break
    positions = [(a, b) if horizontal else (b, a) for a, b in zip(along, across, strict=True)]
    first, second = (
        Shape(COLOUR_NAMES[c], SHAPES[k], SIZE_NAMES[z], x, y, r)
        for c, k, z, (x, y), r in zip(colours, kinds, sizes, positions, radii, strict=True)
    )
    return Scene((first, second), relation)


def _place(rng: np.random.Generator, radius: float) -> tuple[float, float]:
    low, high = radius + 1.0, IMAGE_SIZE - 1.0 - radius
    x, y = rng.uniform(low, high, size=2)
    return float(x), float(y)


def render(scene: Scene, rng: np.random.Generator) -> np.ndarray:
    """Return the scene as an image of shape (S, S, 3), float32 in [0, 1].

    Shapes are drawn with 2x supersampling; colours are jittered and pixel noise is added.
    """
    scale = 2
    side = IMAGE_SIZE * scale
    x, y = _SUPERSAMPLED_GRID
    canvas = np.empty((side, side, 3))
    canvas[:] = rng.uniform(0.05, 0.15, size=3)
    for shape in scene.shapes:
        colour = np.clip(np.array(COLOURS[shape.colour]) + rng.normal(0, 0.04, size=3), 0, 1)
        canvas[_mask(shape, x, y)] = colour
    image = canvas.reshape(IMAGE_SIZE, scale, IMAGE_SIZE, scale, 3).mean(axis=(1, 3))
    image += rng.normal(0, 0.02, size=image.shape)
    return np.clip(image, 0, 1).astype(np.float32)


_SUPERSAMPLED_GRID = np.meshgrid(*[(np.arange(2 * IMAGE_SIZE) + 0.5) / 2] * 2)
"""Pixel-centre coordinates (x, y) of the 2x supersampled canvas, each (2S, 2S); read only."""
for _coordinate in _SUPERSAMPLED_GRID:
    _coordinate.flags.writeable = False


def _mask(shape: Shape, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    dx, dy, r = x - shape.x, y - shape.y, shape.radius
    if shape.shape == "circle":
        return dx * dx + dy * dy <= r * r
    if shape.shape == "square":
        half = 0.85 * r
        return (np.abs(dx) <= half) & (np.abs(dy) <= half)
    # An upward triangle with its apex at the top and its base at 0.8 r below the centre.
    base = 0.8 * r
    return (dy <= base) & (np.abs(dx) <= (dy + r) * r / (r + base))


def describe(scene: Scene, rng: np.random.Generator) -> list[str]:
    """Return five different reference captions of the scene (lower case, no punctuation).

    Each caption draws a template by its weight, which shape comes first (usually the larger
    one), a phrasing of the relation and whether sizes are named; draws repeating an earlier
    caption are redrawn.
    """
    templates, weights = list(TEMPLATES), np.array(list(TEMPLATES.values()))
    captions: list[str] = []
    while len(captions) < CAPTIONS_PER_IMAGE:
        template = templates[rng.choice(len(templates), p=weights / weights.sum())]
        larger = int(scene.shapes[1].radius > scene.shapes[0].radius)
        first = larger if rng.random() < SALIENT_FIRST_PROBABILITY else 1 - larger
        a, b = scene.shapes[first], scene.shapes[1 - first]
        relation = scene.relation if first == 0 else RELATIONS[scene.relation]
        phrases = RELATION_PHRASES[relation]
        phrase = list(phrases)[rng.choice(len(phrases), p=list(phrases.values()))]
        caption = template.format(A=_noun(a, rng), B=_noun(b, rng), rel=phrase)
        if caption not in captions:
            captions.append(caption)
    return captions


def _noun(shape: Shape, rng: np.random.Generator) -> str:
    words = [shape.colour, shape.shape]
    if rng.random() < SIZE_MENTION_PROBABILITY:
        words.insert(0, shape.size)
    return " ".join(words)


# -- features --------------------------------------------------------------------------------
_CUBE_CORNERS = np.array(
    [[r, g, b] for r in (0.0, 1.0) for g in (0.0, 1.0) for b in (0.0, 1.0)]
)
COLOUR_BINS = len(_CUBE_CORNERS)
ORIENTATION_BINS = 8
OBJECTS = 2
"""Objects described by the global vector (the largest connected components)."""
OBJECT_DIM = COLOUR_BINS + ORIENTATION_BINS + 3
"""Per object: mean colour, edge orientations, area and centre (x, y)."""
GLOBAL_DIM = OBJECTS * OBJECT_DIM + 2
"""F: the objects' descriptors and the offset (dx, dy) of the largest from the second."""
REGION_DIM = COLOUR_BINS + ORIENTATION_BINS + 2
"""R: colour histogram, orientation histogram and centre (x, y) of a grid cell."""
FOREGROUND_CONTRAST = 0.25
"""A pixel is foreground when a channel differs this much from the image's median colour."""
MIN_OBJECT_PIXELS = 4
"""Smaller connected components are noise, not objects."""


def _orientation_histograms(field: np.ndarray) -> np.ndarray:
    """Per-pixel gradient orientation of `field` (N, S, S) in 8 soft bins, times magnitude.

    Returns an array of shape (N, S, S, 8); orientations are linearly shared between the two
    nearest of 8 bins of 45 degrees.
    """
    gy, gx = np.gradient(field, axis=(1, 2))
    magnitude = np.hypot(gx, gy)
    position = (np.arctan2(gy, gx) % (2 * np.pi)) / (2 * np.pi) * ORIENTATION_BINS
    low = np.floor(position).astype(int) % ORIENTATION_BINS
    high = (low + 1) % ORIENTATION_BINS
    high_share = position - np.floor(position)
    out = np.zeros(field.shape + (ORIENTATION_BINS,))
    for o in range(ORIENTATION_BINS):
        out[..., o] = magnitude * ((low == o) * (1 - high_share) + (high == o) * high_share)
    return out


def _soft_colours(images: np.ndarray) -> np.ndarray:
    """Per-pixel soft assignment (N, S, S, 8) to the corners of the RGB cube."""
    distance = ((images[..., np.newaxis, :] - _CUBE_CORNERS) ** 2).sum(axis=-1)
    colour = np.exp(-distance / 0.1)
    return colour / colour.sum(axis=-1, keepdims=True)


def extract_features(images: np.ndarray, batch_size: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Compute fixed features of images.

    Parameters
    ----------
    images : ndarray of shape (N, S, S, 3), values in [0, 1]
    batch_size : int, default=128
        Images processed at once (bounds memory).

    Returns
    -------
    features : ndarray of shape (N, F), dtype float32
        Descriptors of the two largest objects and their offset (see module docstring),
        F = `GLOBAL_DIM`; an image with fewer objects has zeros in the missing slots.
    regions : ndarray of shape (N, L, R), dtype float32
        Colour and orientation histograms of the L = 16 grid cells and the cells' centres,
        R = `REGION_DIM`.
    """
    features, regions = [], []
    for start in range(0, len(images), batch_size):
        f, r = _extract_batch(np.asarray(images[start : start + batch_size], dtype=np.float64))
        features.append(f)
        regions.append(r)
    if not features:
        return np.zeros((0, GLOBAL_DIM), np.float32), np.zeros((0, GRID * GRID, REGION_DIM),
                                                                np.float32)
    return (np.concatenate(features).astype(np.float32),
            np.concatenate(regions).astype(np.float32))


_CELL_CENTRES = np.stack(np.meshgrid(*[(np.arange(GRID) + 0.5) / GRID * 2 - 1] * 2),
                         axis=-1).reshape(GRID * GRID, 2)
"""(x, y) of the grid cells' centres in [-1, 1], row by row; read only."""
_CELL_CENTRES.flags.writeable = False


def _extract_batch(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    N, S = images.shape[:2]
    colour = _soft_colours(images)
    orientation = _orientation_histograms(images.sum(axis=-1))
    cell = S // GRID
    region_colour = colour.reshape(N, GRID, cell, GRID, cell, -1).mean(axis=(2, 4))
    region_orientation = orientation.reshape(N, GRID, cell, GRID, cell, -1).mean(axis=(2, 4))
    regions = np.concatenate([region_colour.reshape(N, GRID * GRID, -1),
                              20 * region_orientation.reshape(N, GRID * GRID, -1),
                              np.broadcast_to(_CELL_CENTRES, (N, GRID * GRID, 2))], axis=-1)
    return _object_features(images, colour, orientation), regions


def _object_features(images: np.ndarray, colour: np.ndarray,
                     orientation: np.ndarray) -> np.ndarray:
    """The global vector (N, F): the two largest foreground components and their offset.

    The components of all images are labelled in one pass (no connection across images);
    an object's edge orientations are summed over its pixels and a one-pixel ring around it
    (where the outer half of its edge lies) and normalised to sum to 1.
    """
    N, S = images.shape[:2]
    background = np.median(images.reshape(N, S * S, 3), axis=1)
    foreground = np.abs(images - background[:, np.newaxis, np.newaxis]).max(axis=-1) \
        > FOREGROUND_CONTRAST
    within_image = np.zeros((3, 3, 3), dtype=bool)
    within_image[1] = ndimage.generate_binary_structure(2, 1)
    labels, count = ndimage.label(foreground, structure=within_image)
    ring = ndimage.grey_dilation(labels, footprint=np.ones((1, 3, 3), dtype=bool))

    def per_object(values: np.ndarray, index: np.ndarray) -> np.ndarray:
        """Sum of `values` (N, S, S) over each component's pixels: (count,)."""
        return np.bincount(index.ravel(), weights=values.ravel(), minlength=count + 1)[1:]

    area = per_object(np.ones(labels.shape), labels)
    coords = (np.arange(S) + 0.5) / S * 2 - 1  # pixel centres in [-1, 1]
    x = np.broadcast_to(coords[np.newaxis, np.newaxis, :], labels.shape)
    y = np.broadcast_to(coords[np.newaxis, :, np.newaxis], labels.shape)
    safe_area = np.maximum(area, 1.0)[:, np.newaxis]
    centre = np.stack([per_object(x, labels), per_object(y, labels)], axis=1) / safe_area
    mean_colour = np.stack([per_object(colour[..., k], labels)
                            for k in range(COLOUR_BINS)], axis=1) / safe_area
    edges = np.stack([per_object(orientation[..., o], ring)
                      for o in range(ORIENTATION_BINS)], axis=1)
    edges /= np.maximum(edges.sum(axis=1, keepdims=True), 1e-12)
    # Constant factors give each block a spread of about 1 on typical scenes.
    descriptors = np.concatenate([2 * mean_colour, 4 * edges, area[:, None] / 40,
                                  2 * centre], axis=1)

    image_of = np.array([s[0].start for s in ndimage.find_objects(labels)], dtype=np.int64)
    keep = np.flatnonzero(area >= MIN_OBJECT_PIXELS)
    keep = keep[np.lexsort((-area[keep], image_of[keep]))]  # by image, largest first
    first_of_image = np.searchsorted(image_of[keep], image_of[keep])
    rank = np.arange(len(keep)) - first_of_image
    keep, rank = keep[rank < OBJECTS], rank[rank < OBJECTS]
    slots = np.zeros((N, OBJECTS, OBJECT_DIM))
    slots[image_of[keep], rank] = descriptors[keep]
    offset = slots[:, 0, -2:] - slots[:, 1, -2:]
    offset[(slots[:, 1] == 0).all(axis=1)] = 0.0
    return np.concatenate([slots.reshape(N, -1), 2 * offset], axis=1)


@dataclass(frozen=True)
class ShapesData:
    """A generated split: images, their features and five tokenized references each."""

    images: np.ndarray  # (N, S, S, 3) float32
    features: np.ndarray  # (N, F) float32
    regions: np.ndarray  # (N, L, R) float32
    captions: list[list[list[str]]]  # N lists of 5 token lists
    scenes: list[Scene]


def generate(num_images: int, rng: np.random.Generator) -> ShapesData:
    """Generate `num_images` scenes with images, features and reference captions."""
    scenes = [random_scene(rng) for _ in range(num_images)]
    images = np.stack([render(scene, rng) for scene in scenes]) if scenes else np.zeros(
        (0, IMAGE_SIZE, IMAGE_SIZE, 3), np.float32)
    captions = [[caption.split() for caption in describe(scene, rng)] for scene in scenes]
    features, regions = extract_features(images)
    return ShapesData(images, features, regions, captions, scenes)
