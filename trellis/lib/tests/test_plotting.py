from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg

from trellis.lib.plotting import Figure


def test_it_draws_a_label_that_looks_like_mathtext_as_plain_text() -> None:
    # Issue 16: an item code such as $\frac{$ made every chart 500 (mathtext parse error).
    fig = Figure(figsize=(2, 2))
    ax = fig.subplots()
    ax.set_xticks([0, 1], labels=["$\\frac{$", "$x^$"])
    ax.set_title("$\\frac{$")
    out = io.BytesIO()
    FigureCanvasAgg(fig).print_png(out)
    assert out.getvalue().startswith(b"\x89PNG")
