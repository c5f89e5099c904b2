"""Chain maps: products with recipes, firms and supply links (MODEL.md §1-2)."""

from simcore.chainmap.load import load_model
from simcore.chainmap.model import ChainMap

__all__ = ["ChainMap", "load_model"]
