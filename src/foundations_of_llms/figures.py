"""The site's figure helper: every figure is drawn for the light and the dark
palette, each at desktop and at phone width.

    from foundations_of_llms.figures import save_light_and_dark
"""

import textwrap

import matplotlib.pyplot as plt
from cycler import cycler
from matplotlib.gridspec import GridSpec
from matplotlib.ticker import AutoLocator, MaxNLocator

# Okabe and Ito's colour-blind-safe palette: one hue per series, the same in
# both palettes except that the dark one takes the lighter member of a pair
# (sky blue for blue, orange for vermilion), so that every line stands out from
# its background. Each series also has its own line style, so that curves
# differ without colour too; dotted is left for the grey reference lines.
SERIES = {"light": ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8F7A00",
                    "#56606B"],
          "dark": ["#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442",
                   "#B9C0C8"]}
LINE_STYLES = ["-", "--", "-.", (0, (3, 1, 1, 1, 1, 1)), (0, (5, 1, 1, 1)),
               (0, (8, 2))]
# Text sizes in points, the SVG's units. A desktop figure 7 inches (504 points)
# wide is shown at most 672 CSS px wide, 1.33 px a point: the smallest text, an
# exponent at 70 % of a tick label, is then over 10 px (tests/test_browser.py
# measures every figure's text in Chromium).
TEXT = {"font.size": 11, "axes.titlesize": 11, "axes.labelsize": 11,
        "xtick.labelsize": 11, "ytick.labelsize": 11, "legend.fontsize": 11,
        "figure.titlesize": 12}
# The phone variant: the same drawing on a canvas 4.8 inches (346 points) wide,
# shown about 358 CSS px wide on a 390 px phone (1.03 px a point). Panels side
# by side are stacked, legends go under the plot, long titles and labels are
# wrapped (tools/mkdocs_hooks.py serves it to screens up to 700 px wide).
PHONE_WIDTH, PHONE_CHARACTERS = 4.8, 40
PANEL_HEIGHT = 3.4  # inches, for each stacked panel of curves
ROUND = [1, 2, 2.5, 5, 10]  # phone ticks at multiples of these (and powers of 10)


def wrap(text, width):
    """text in lines of at most width characters, keeping its line breaks."""
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def phone_layout(fig):
    """Lay a desktop figure out again for a phone's width, in place."""
    panels = [ax for ax in fig.axes if ax.get_subplotspec() is not None
              and ax.get_label() != "<colorbar>"]
    grid = panels[0].get_subplotspec().get_gridspec() if panels else None
    columns = grid.get_geometry()[1] if grid else 1
    height = fig.get_size_inches()[1]
    if columns > 1:  # stack the panels: one a row, in reading order
        # a colorbar that the panels share is drawn again, across the bottom
        colorbars = [ax._colorbar for ax in fig.axes
                     if ax.get_label() == "<colorbar>"]
        for colorbar in colorbars:
            colorbar.remove()
        stacked = GridSpec(len(panels), 1, figure=fig)
        for i, ax in enumerate(panels):
            ax.set_subplotspec(stacked[i, 0])
        for colorbar in colorbars:
            label = colorbar.ax.get_xlabel() or colorbar.ax.get_ylabel()
            fig.colorbar(colorbar.mappable, ax=panels, location="bottom",
                         shrink=0.8, aspect=30, label=label)
        # a heat map is square: about as tall as the phone is wide
        tall = any(ax.images for ax in panels)
        height = (0.9 * PHONE_WIDTH if tall else PANEL_HEIGHT) * len(panels)
    for ax in fig.axes:
        # fewer ticks on a default axis, so that their labels do not touch
        if type(ax.xaxis.get_major_locator()) is AutoLocator:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=ROUND))
        ax.set_title(wrap(ax.get_title(), PHONE_CHARACTERS))
        ax.set_xlabel(wrap(ax.get_xlabel(), PHONE_CHARACTERS))
        ax.set_ylabel(wrap(ax.get_ylabel(), PHONE_CHARACTERS - 10))
    extra = 0
    if not fig.legends:  # the panels' legends as one, under the plot
        handles, labels = [], []
        for ax in panels:
            if ax.get_legend() is not None:
                more_handles, more_labels = ax.get_legend_handles_labels()
                handles, labels = handles + more_handles, labels + more_labels
                ax.get_legend().remove()
        if handles:
            labels = [wrap(label, PHONE_CHARACTERS + 4) for label in labels]
            fig.legend(handles, labels, loc="outside lower center",
                       frameon=False)
            extra = 0.25 * sum(label.count("\n") + 1 for label in labels)
    fig.set_size_inches(PHONE_WIDTH, max(height * 0.95, 3.2) + extra)


# --8<-- [start:save_light_and_dark]
def save_light_and_dark(draw, name):
    """Draw a figure for the site's light and dark palettes, at desktop and at
    phone width: NAME-light.svg, NAME-dark.svg, NAME-phone-light.svg and
    NAME-phone-dark.svg (every figure)."""
    # path.simplify off: matplotlib drops the points of a line that lie within
    # a fraction of a pixel of it, so which points the SVG keeps would hang on
    # the last bits of the data, and so on the CPU that computed them.
    rc = {"svg.hashsalt": name, "svg.fonttype": "none",
          "path.simplify": False, **TEXT}
    for theme, style in (("light", "default"), ("dark", "dark_background")):
        series = cycler(color=SERIES[theme], linestyle=LINE_STYLES)
        with (plt.style.context(style),
              plt.rc_context({**rc, "axes.prop_cycle": series})):
            for variant in ("", "-phone"):
                fig = draw()
                if variant:
                    phone_layout(fig)
                fig.savefig(f"{name}{variant}-{theme}.svg", transparent=True,
                            metadata={"Date": None})
                plt.close(fig)
# --8<-- [end:save_light_and_dark]
