"""The site's figure helper: every figure is drawn twice, for the light and the dark palette.

    from foundations_of_llms.figures import save_light_and_dark
"""

import matplotlib.pyplot as plt


# --8<-- [start:save_light_and_dark]
def save_light_and_dark(draw, name):
    """Draw a figure for the site's light and dark palettes: NAME-light.svg and NAME-dark.svg (every figure)."""
    # path.simplify off: matplotlib drops the points of a line that lie within a fraction of a pixel of it, so
    # which points the SVG keeps would hang on the last bits of the data, and so on the CPU that computed them.
    rc = {"svg.hashsalt": name, "svg.fonttype": "none", "path.simplify": False}
    for theme, style in (("light", "default"), ("dark", "dark_background")):
        with plt.style.context(style), plt.rc_context(rc):
            fig = draw()
            fig.savefig(f"{name}-{theme}.svg", transparent=True, metadata={"Date": None})
            plt.close(fig)
# --8<-- [end:save_light_and_dark]
