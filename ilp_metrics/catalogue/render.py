"""docs/indicators.md: the catalogue rendered as Markdown tables for people who never open the YAML.

A test keeps the committed file identical to `render_markdown(load_catalogue())`; regenerate it with
`.venv/bin/python -m ilp_metrics.catalogue > docs/indicators.md`.
"""

from __future__ import annotations

from ilp_metrics.catalogue.model import Catalogue, Denominator, Indicator, Numerator


def _md(text: str) -> str:
    """Make text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _fmt_number(value: float) -> str:
    return f"{value:g}"


def _describe_numerator(num: Numerator) -> str:
    if num.readiness_item:
        how = {"latest_value": "latest value", "reported_sum": "sum of monthly values"}[num.count]
        return f"{how} of `{num.readiness_item}`"
    how = {
        "distinct_persons": "distinct persons",
        "events": "records (events)",
        "persons_with_min_events": f"persons with ≥ {num.min_events} visit dates",
    }[num.count]
    parts = [f"{how}: " + ", ".join(f"`{s}`" for s in num.services)]
    if num.result_in:
        parts.append("result " + " or ".join(f"`{r}`" for r in num.result_in))
    if num.age_years:
        lo, hi = num.age_years.min, num.age_years.max
        parts.append(
            f"age {lo}–{hi} y"
            if lo is not None and hi is not None
            else f"age ≥ {lo} y"
            if lo is not None
            else f"age ≤ {hi} y"
        )
    if num.sex:
        parts.append("female (P)" if num.sex == "P" else "male (L)")
    if num.aggregate_services:
        parts.append("aggregate reports: " + ", ".join(f"`{s}`" for s in num.aggregate_services))
    return "; ".join(parts)


def _describe_denominator(den: Denominator) -> str:
    if den.kind == "target_group":
        factor = "" if den.factor == 1 else f"{_fmt_number(den.factor)} × "
        return f"{factor}sasaran `{den.target_group}`"
    if den.kind == "indicator":
        return f"numerator of `{den.indicator}`"
    return f"`{den.readiness_item}`"


def _describe_target(ind: Indicator, cat: Catalogue) -> str:
    unit = cat.methods.describe("unit", ind.unit).en
    sign = "≤ " if ind.polarity == "lower_is_better" else ""
    target = f"{sign}{_fmt_number(ind.target_pct)} {unit}"
    return f"{target}, {ind.accumulation}" + (f", near ≥ {ind.tolerance:g}" if ind.tolerance else "")


def _headline_rules(cat: Catalogue) -> list[str]:
    """The rules behind the headline figures: the watch list, the flat PWS trend, the ceiling words."""
    lines = []
    if cat.figures.watch_rule is not None:
        lines.append(
            f"- **Puskesmas to watch** (`rank_by: {cat.figures.watch_rank_by}`): {_md(cat.figures.watch_rule.en)}"
        )
    if cat.status.flat_trend_rule is not None:
        lines.append(
            f"- **Flat PWS trend** (`reads_as: {cat.status.flat_trend_reads_as}`): {_md(cat.status.flat_trend_rule.en)}"
        )
    words = [f"{lvl.name.en} → {lvl.ceiling_name.en}" for lvl in cat.status.levels if lvl.ceiling_name is not None]
    if words:
        lines.append(
            "- **Lower-is-better status words** (the target is a ceiling): "
            + "; ".join(words)
            + ". Axis titles read Prevalence (%) or Rate per 1,000 / 100,000 instead of Coverage."
        )
    return lines


def render_markdown(cat: Catalogue) -> str:
    """docs/indicators.md: the human-readable catalogue; a test keeps the committed file identical."""
    lines = [
        "# Indicator catalogue",
        "",
        "<!-- Generated from ilp_metrics/catalogue/catalogue.yaml by catalogue.render_markdown(); do not edit by hand.",
        "     Regenerate with: .venv/bin/python -m ilp_metrics.catalogue > docs/indicators.md -->",
        "",
        f"Catalogue version {cat.version}: {len(cat.indicators)} indicators "
        f"({len(cat.spm_indicators())} SPM) in {len(cat.clusters)} clusters. "
        "Sources marked (K) are not yet verified against the original text.",
        "",
        "## How to read it",
        "",
    ]
    for kind in ("accumulation", "count"):
        for code, text in getattr(cat.methods, kind):
            lines.append(f"- **{code}**: {_md(text.en)}")
    lines += [
        f"- **Status**: {_md(cat.status.achievement.en)} Default near-target bound: "
        f"{cat.status.mendekati_min_ratio:g}. {_md(cat.status.rationale.en)}",
        f"- **Targets**: {_md(cat.override_rule.en)}",
        f"- **Sources of counts**: {_md(cat.source_precedence.rule.en)} "
        f"{_md(cat.source_precedence.aggregate_counts.en)}",
        "",
        "## How the figures are built",
        "",
        *[f"- **{code.replace('_', ' ').capitalize()}**: {_md(text.en)}" for code, text in cat.figures.rules],
        *_headline_rules(cat),
        "",
        "## Indicators",
        "",
        "| Code | Cluster | Name (Bahasa Indonesia / English) | Numerator | Denominator | Target | Source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for ind in sorted(cat.indicators, key=lambda i: (i.cluster, not i.spm)):
        name = f"**{_md(ind.name.id)}**<br>{_md(ind.name.en)}"
        if ind.prevalence_denominator:
            name += "<br>*estimated denominator: coverage above 100 % is shown*"
        source = f"{_md(ind.source)}<br>Target: {_md(ind.target_source.en)}"
        lines.append(
            f"| `{ind.code}` | {ind.cluster} {_md(cat.cluster(ind.cluster).name.id)} | {name} | "
            f"{_md(_describe_numerator(ind.numerator))} | {_md(_describe_denominator(ind.denominator))} | "
            f"{_md(_describe_target(ind, cat))} | {source} |"
        )
    lines += [
        "",
        "## Target overrides",
        "",
        "| Indicator | Year | Regency | Target | Note |",
        "| --- | --- | --- | --- | --- |",
    ]
    for o in cat.overrides:
        lines.append(
            f"| `{o.indicator}` | {o.year} | {o.regency or 'all'} | {_fmt_number(o.target_pct)} | "
            f"{_md(o.note.en) if o.note else ''} |"
        )
    lines += ["", "## Target groups (sasaran)", "", "| Code | Name | Estimate |", "| --- | --- | --- |"]
    for t in cat.target_groups:
        lines.append(f"| `{t.code}` | {_md(t.name.id)} | {_md(t.estimate.en)} |")
    lines += [
        "",
        "## Readiness items (kesiapan)",
        "",
        f"{_md(cat.readiness_index.method.en)} {_md(cat.readiness_index.rationale.en)}",
        "",
        "| Code | Name | Type | Measure | Denominator | Weight |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in cat.readiness_items:
        den = f"`{r.denominator_item}`" if r.denominator_item else ""
        lines.append(
            f"| `{r.code}` | {_md(r.name.id)} | {r.value_type} | {r.measure} | {den} | {_fmt_number(r.weight)} |"
        )
    lines += ["", "## Services", "", "| Code | Cluster | Name | Synonyms |", "| --- | --- | --- | --- |"]
    for s in cat.services:
        lines.append(f"| `{s.code}` | {s.cluster} | {_md(s.name.id)} | {_md(', '.join(s.synonyms))} |")
    return "\n".join(lines) + "\n"
