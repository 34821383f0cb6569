"""The `quality` section: its rules live with the checks (quality.rules.check_section); run from here."""

from __future__ import annotations

from typing import Any

from ilp_metrics.catalogue.rules.issues import CatalogueProblem, Issues
from ilp_metrics.catalogue.rules.known import Known


class QualityIssues(Issues):
    """Issues plus the known services, indicators and target groups: what check_section looks up."""

    def __init__(self, known: Known) -> None:
        super().__init__("quality")
        self.services = known.services
        self.indicators = known.indicators
        self.target_groups = known.target_groups


def quality(raw: dict[str, Any], known: Known) -> list[CatalogueProblem]:
    from ilp_metrics.quality.rules import check_section  # imported late: quality imports the catalogue

    out = QualityIssues(known)
    check_section(out, raw.get("quality"))
    return out.problems
