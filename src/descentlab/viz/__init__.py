"""Figures for the book: contour plots, paths, and the two-faced interactive figure."""

from .controls import Choice, IntSlider, Play, Slider, Toggle
from .figure import InteractiveFigure, current_face, registry
from .player import player_html
from .plots import PATH_COLORS, contour, path_artists, set_path, status_text

__all__ = [
    "Toggle",
    "Choice",
    "IntSlider",
    "Play",
    "Slider",
    "InteractiveFigure",
    "current_face",
    "registry",
    "player_html",
    "PATH_COLORS",
    "contour",
    "path_artists",
    "set_path",
    "status_text",
]
