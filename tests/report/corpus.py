"""A small captioning corpus: references, three systems, and a caption with markup in it."""
from __future__ import annotations

REFERENCES = {
    1: ["a dog runs on the grass", "the brown dog is running", "a dog on green grass",
        "a dog running outside"],
    2: ["a cat sits on a mat", "the cat is sitting on the mat", "a small cat on a mat"],
    3: ["two men ride bikes down a street", "men riding bicycles", "two people on bikes"],
    4: ["a red car parked on a road", "the red car is parked", "a car on the street"],
    5: ["a plate of food with rice", "food on a white plate", "rice and vegetables on a plate"],
    6: ["a child plays with a ball", "a kid kicking a ball", "a young boy plays soccer"],
    7: ["a man surfing a big wave", "a surfer rides a wave", "a person on a surfboard"],
    8: ["a bird sits on a branch", "a small bird in a tree", "a bird perched on a branch"],
}

SYSTEMS = {
    "strong": {1: "a dog running on the grass", 2: "a cat sitting on a mat",
               3: "two men riding bikes", 4: "a red car parked on the street",
               5: "a plate of rice and vegetables", 6: "a kid playing with a ball",
               7: "a surfer riding a wave", 8: "a bird on a branch"},
    "weak": {1: "a dog", 2: "a cat on the mat", 3: "men on a street", 4: "a car",
             5: "a plate of food", 6: "a boy", 7: "a man on a wave", 8: "a bird in a tree"},
    # Same images in another order, and a caption that must stay text in HTML.
    "markup": {8: "a bird <b>on</b> a branch", 7: "a man surfing", 6: "a child plays",
               5: "food", 4: "a red car", 3: "two men", 2: "a cat",
               1: '<script>alert("x")</script> a dog & a cat'},
}
