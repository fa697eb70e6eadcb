"""Every chart's Figure, with text drawn as plain text.

Labels come from data (item codes, names, titles). Matplotlib reads text between
dollar signs as mathtext, so an item code such as ``$\\frac{$`` made every chart that
showed it fail (issue 16). Trellis never draws mathematics, so mathtext is off for all
text; chart modules take ``Figure`` from here so the rule holds wherever they are used.
"""

from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure

matplotlib.rcParams["text.parse_math"] = False

__all__ = ["Figure"]
