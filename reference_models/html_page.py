"""A self-contained HTML page of example images, their captions and attention maps.

Images are embedded as PNG data URIs written by `encode_png` (zlib and struct only), so the
page is one file that opens offline.
"""
from __future__ import annotations

import base64
import html
import struct
import zlib
from collections.abc import Sequence

import numpy as np


def encode_png(image: np.ndarray) -> bytes:
    """Encode an RGB image of shape (H, W, 3), values in [0, 1], as an 8-bit PNG."""
    pixels = (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    height, width, _ = pixels.shape
    rows = b"".join(b"\x00" + pixels[y].tobytes() for y in range(height))  # filter 0 per row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def _data_uri(image: np.ndarray, scale: int) -> str:
    big = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
    return "data:image/png;base64," + base64.b64encode(encode_png(big)).decode("ascii")


def attention_overlay(image: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Darken `image` (S, S, 3) where the attention weights `alpha` (G * G,) are small."""
    grid = int(round(np.sqrt(alpha.size)))
    weights = alpha.reshape(grid, grid) / max(float(alpha.max()), 1e-12)
    cell = image.shape[0] // grid
    mask = np.repeat(np.repeat(weights, cell, axis=0), cell, axis=1)[..., np.newaxis]
    return image * (0.15 + 0.85 * mask)


def demo_page(
    title: str,
    leaderboard_text: str,
    report_href: str,
    examples: Sequence[dict],
) -> str:
    """Return the HTML page.

    Parameters
    ----------
    title : str
    leaderboard_text : str
        The leaderboard as plain text: the table, a blank line, then notes (shown
        preformatted; the table scrolls sideways on narrow screens, the notes wrap).
    report_href : str
        Relative link to the full leaderboard report (charts, best and worst images).
    examples : sequence of dict
        Each with ``image`` (S, S, 3), ``references`` (list of str), ``captions`` (system
        name -> str) and optionally ``attention``: a list of (word, alpha of shape (L,)).
    """
    table, _, notes = leaderboard_text.partition("\n\n")
    parts = [
        "<!DOCTYPE html>", "<html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:80em;margin:auto}"
        "pre{font-size:10px;overflow-x:auto}pre.notes{white-space:pre-wrap}"
        ".ex{display:flex;gap:1em;margin:1em 0;border-top:1px solid #ccc;padding-top:1em}"
        ".att{display:flex;flex-wrap:wrap;gap:4px}"
        ".att figure{margin:0;text-align:center;font-size:small}ul{margin:0}</style>",
        "</head><body>", f"<h1>{html.escape(title)}</h1>",
        f"<pre>{html.escape(table)}</pre><pre class='notes'>{html.escape(notes)}</pre>",
        f"<p><a href='{html.escape(report_href)}'>Full leaderboard report</a> (score charts, "
        "per-image distributions, best and worst images of every system)</p>",
        "<h2>Examples</h2>",
    ]
    for example in examples:
        image = example["image"]
        parts.append("<div class='ex'>")
        parts.append(f"<img src='{_data_uri(image, 4)}' width='128' height='128' alt='image'>")
        parts.append("<div><b>References</b><ul>")
        parts += [f"<li>{html.escape(r)}</li>" for r in example["references"]]
        parts.append("</ul><b>Systems</b><ul>")
        parts += [f"<li><i>{html.escape(name)}</i>: {html.escape(text)}</li>"
                  for name, text in example["captions"].items()]
        parts.append("</ul>")
        if example.get("attention"):
            parts.append("<b>Attention (where the attention model looked for each word)</b>"
                         "<div class='att'>")
            for word, alpha in example["attention"]:
                uri = _data_uri(attention_overlay(image, np.asarray(alpha)), 2)
                parts.append(f"<figure><img src='{uri}' width='64' height='64' alt=''>"
                             f"<figcaption>{html.escape(word)}</figcaption></figure>")
            parts.append("</div>")
        parts.append("</div></div>")
    parts.append("</body></html>")
    return "\n".join(parts)
