"""The installed app's icons: PNG copies of trellis-mark.svg, drawn with Pillow.

The PNGs are committed (trellis/static/trellis/app-icon-*.png); run
`python -m trellis.assessments.capture.icons` after changing the mark to draw them again.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parents[2] / "static" / "trellis"
SIZES = (192, 512)
TEAL = "#0b6b66"
# The mark's strokes in its 32-unit box, and a maskable variant's safe zone (80%).
STROKES = [((7, 25), (16, 7), (25, 25)), ((10.5, 18), (21.5, 18)), ((16, 7), (16, 25))]


def draw_icon(size: int, *, maskable: bool = False) -> Image.Image:
    scale = 4  # drawn large and scaled down, for smooth edges
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, side, side), fill=TEAL)
        unit, offset = side * 0.8 / 32, side * 0.1
    else:
        pen.rounded_rectangle((0, 0, side - 1, side - 1), radius=side * 7 / 32, fill=TEAL)
        unit, offset = side / 32, 0.0
    width = round(2.2 * unit)
    for stroke in STROKES:
        points = [(offset + x * unit, offset + y * unit) for x, y in stroke]
        pen.line(points, fill="white", width=width, joint="curve")
        for x, y in points:  # round caps
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill="white")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    for size in SIZES:
        draw_icon(size).save(STATIC / f"app-icon-{size}.png", optimize=True)
    draw_icon(512, maskable=True).save(STATIC / "app-icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
