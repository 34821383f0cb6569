"""Chart axes a projector audience can read: whole, round tick steps on the right axis."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from ilp_metrics.figures.charts import monthly_bars, round_step


@pytest.mark.parametrize(("top", "step"), [(0, 1), (4.2, 1), (32.99, 10), (61.0, 20), (100.0, 20), (240.0, 50)])
def test_the_right_axis_steps_are_whole_round_numbers(top, step):
    assert round_step(top) == step


def test_monthly_bars_right_axis_is_numeric_with_round_ticks_even_for_decimal_coverage():
    frame = pd.DataFrame(
        {
            "indicator": ["SPM01"] * 3,
            "year": [2025] * 3,
            "month": [1, 2, 3],
            "numerator_month": [12, 9, 14],
            "coverage": [Decimal("28.28"), Decimal("30.5"), Decimal("32.99")],  # as an SQL DECIMAL may arrive
        }
    )
    fig = monthly_bars(frame, "SPM01", area="Puskesmas X", lang="id")
    axis = fig.layout.yaxis2
    assert axis.type == "linear" and axis.tickmode == "linear" and axis.tick0 == 0 and axis.dtick == 10
    assert list(fig.data[1].y) == [28.28, 30.5, 32.99]  # floats: a Decimal column would become a category axis


def test_the_ilp_start_label_and_the_target_label_sit_at_opposite_ends_of_the_comparison_chart():
    from ilp_metrics.figures.compare import aligned_chart

    frame = pd.DataFrame(
        {
            "indicator": ["SPM01"] * 3,
            "group": ["pilot"] * 3,
            "months_since_start": [-1, 0, 1],
            "median_coverage_pct": [90.0, 95.0, 99.0],
            "p25": [85.0, 90.0, 94.0],
            "p75": [95.0, 99.0, 100.0],
            "units": [4, 4, 4],
            "annual_target_pct": [100.0] * 3,
        }
    )
    fig = aligned_chart(frame, "SPM01", lang="id")
    start = next(a for a in fig.layout.annotations if a.text.strip() == "Mulai ILP")
    target = next(a for a in fig.layout.annotations if a.y == 100.0)
    assert target.yanchor == "bottom"  # just above the target line, near the top of the plot
    assert (start.y, start.yanchor) == (0, "bottom")  # the start label at the foot, never on the target label
