"""The data-quality checks, one function per check family, each a DuckDB query over the stored tables.

Every function takes the connection and a `Scope` (year, months to date per kabupaten, thresholds) and
returns raw findings: the columns of FINDING_COLUMNS except `message`, plus `f_*` columns that fill the
catalogue's message template. `quality.findings` runs them all and writes the messages.
Identifiers are never formatted into SQL; every value is a bound parameter.
"""

from ilp_metrics.quality.checks.completeness import check_completeness, completeness_grid
from ilp_metrics.quality.checks.denominators import check_denominators
from ilp_metrics.quality.checks.duplicates import check_duplicates
from ilp_metrics.quality.checks.figures import check_figures, puskesmas_figures
from ilp_metrics.quality.checks.impossible import check_impossible
from ilp_metrics.quality.checks.outliers import check_outliers, modified_z, monthly_series
from ilp_metrics.quality.checks.registry import check_registry
from ilp_metrics.quality.checks.scope import RAW_COLUMNS, Scope, make_scope
from ilp_metrics.quality.checks.timeliness import check_timeliness

__all__ = [
    "RAW_COLUMNS",
    "Scope",
    "check_completeness",
    "check_denominators",
    "check_duplicates",
    "check_figures",
    "check_impossible",
    "check_outliers",
    "check_registry",
    "check_timeliness",
    "completeness_grid",
    "make_scope",
    "modified_z",
    "monthly_series",
    "puskesmas_figures",
]
