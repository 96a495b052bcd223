"""The data layer: data/ folder → validated Dataset (catalog, observations, highlights)."""

from jianbao.data.catalog import Indicator, Sector
from jianbao.data.dataset import DataLookupError, Dataset
from jianbao.data.highlights import Highlight
from jianbao.data.loader import load_dataset, read_data, validate_data
from jianbao.data.observations import Observation
from jianbao.data.problems import DataValidationError, Problem

__all__ = [
    "DataLookupError", "DataValidationError", "Dataset", "Highlight", "Indicator", "Observation",
    "Problem", "Sector", "load_dataset", "read_data", "validate_data",
]
