"""Chain maps: products with recipes, firms and supply links (docs/model.md, The chain map and Baseline)."""

from simcore.chainmap.load import load_model
from simcore.chainmap.model import ChainMap

__all__ = ["ChainMap", "load_model"]
