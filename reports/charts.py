"""Charts for the weekly report, rendered with the shipped CJK font to PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from reports.cjk_font import matplotlib_font_name


def _figure(width: float = 7.5, height: float = 3.2):
    import matplotlib
    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot as plt
    name = matplotlib_font_name()
    plt.rcParams["font.family"] = [name]
    plt.rcParams["font.sans-serif"] = [name]
    plt.rcParams["axes.unicode_minus"] = False
    fig, ax = plt.subplots(figsize=(width, height), dpi=110)
    return plt, fig, ax


def _png(plt, fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def stacked_bars(title: str, categories: Sequence[str], series: Mapping[str, Sequence[float]],
                 ylabel: str = "件数") -> bytes:
    """One bar per category (e.g. day), stacked by series (e.g. channel)."""
    plt, fig, ax = _figure()
    bottom = [0.0] * len(categories)
    for name, values in series.items():
        ax.bar(list(categories), list(values), bottom=bottom, label=name)
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if series:
        ax.set_ylim(0, max(max(bottom, default=0), 1) * 1.3)  # headroom for the legend
        ax.legend(fontsize=8, ncol=min(5, len(series)), loc="upper center")
    return _png(plt, fig)


def lines(title: str, categories: Sequence[str], series: Mapping[str, Sequence[float]],
          ylabel: str = "") -> bytes:
    plt, fig, ax = _figure()
    for name, values in series.items():
        ax.plot(list(categories), list(values), marker="o", label=name)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if series:
        ax.legend(fontsize=8)
    return _png(plt, fig)


def hbars(title: str, labels: Sequence[str], values: Sequence[float], xlabel: str = "件数") -> bytes:
    plt, fig, ax = _figure(height=max(2.4, 0.35 * len(labels) + 1))
    ax.barh(list(reversed(labels)), list(reversed(values)), color="#c0392b")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    return _png(plt, fig)
