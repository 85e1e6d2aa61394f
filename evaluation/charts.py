"""The effort-impact matrix as an SVG image, drawn by matplotlib (contract §11). Every label is SVG <text>
(`svg.fonttype: none`), never glyph outlines, so that the chart can be searched, translated and read aloud.

A Figure of its own per chart on the Agg canvas, no pyplot, so that requests in several threads draw side by
side. The style is set once, when this module is imported, and never changed: matplotlib's SVG writer reads
`svg.fonttype` from the process-wide rcParams, and `rc_context` changes those for every thread at once."""

import io

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .models import MIDPOINT, Quadrant

LOW, HIGH = 1, 5  # the scores' range, the axes' too
MID = float(MIDPOINT)
# Where each quadrant's name stands: (effort, impact) at the quadrant's outer corner, and its alignment.
QUADRANT_LABELS = {
    Quadrant.QUICK_WIN: (LOW + 0.1, HIGH - 0.1, "left", "top"),
    Quadrant.MAJOR_PROJECT: (HIGH - 0.1, HIGH - 0.1, "right", "top"),
    Quadrant.FILL_IN: (LOW + 0.1, LOW + 0.1, "left", "bottom"),
    Quadrant.THANKLESS: (HIGH - 0.1, LOW + 0.1, "right", "bottom"),
}
STYLE = {
    "svg.fonttype": "none",  # text as <text>, not outlines
    "svg.hashsalt": "werkpad",  # ids the same on every run, so that one report gives one image
    "font.family": "sans-serif",
    "font.size": 9,
}
matplotlib.rcParams.update(STYLE)


def effort_impact_svg(*, round: str, results: list[dict]) -> bytes:
    """The matrix of a round: effort across, impact up, both from 1 to 5, the quadrants split at 3 and named, one
    point per project labelled with its name, pearls drawn as stars and named in the legend. `results` are the
    report's rows as its serializer shows them."""
    figure = Figure(figsize=(8, 6))
    FigureCanvasAgg(figure)
    # Fixed margins, room for the legend on the right: tight_layout would draw the whole figure once more.
    axes = figure.add_axes((0.08, 0.09, 0.76, 0.84))
    ticks = range(LOW, HIGH + 1)
    axes.set(xlim=(LOW, HIGH), ylim=(LOW, HIGH), xticks=ticks, yticks=ticks, xlabel="Effort", ylabel="Impact")
    axes.set_title(f"Effort and impact, round {round}")
    axes.axvline(MID, color="grey", linewidth=1)
    axes.axhline(MID, color="grey", linewidth=1)
    for quadrant, (x, y, across, up) in QUADRANT_LABELS.items():
        axes.text(x, y, quadrant.label.lower(), ha=across, va=up, color="dimgrey", style="italic")
    for pearls, marker, size, name in ((False, "o", 40, "project"), (True, "*", 180, "pearl")):
        shown = [row for row in results if row["is_pearl"] is pearls]
        axes.scatter(
            [float(row["effort"]) for row in shown],
            [float(row["impact"]) for row in shown],
            marker=marker,
            s=size,
            color="goldenrod" if pearls else "steelblue",
            label=name,
            gid=f"{name}s",  # the points' SVG group: <g id="pearls">
            zorder=3,
            clip_on=False,  # a point on the edge (a score of 1 or 5) is drawn whole
        )
    for row in results:
        point = (float(row["effort"]), float(row["impact"]))
        left = point[0] > HIGH - 0.5  # at the right edge the name goes to the left of its point
        axes.annotate(
            row["project"]["name"],
            point,
            xytext=(-6 if left else 6, 4),
            textcoords="offset points",
            ha="right" if left else "left",
        )
    axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})  # no date: the same report, the same bytes
    return out.getvalue()
