"""Scale-out: the same metric SQL on Apache Spark, over the stored tables exported as partitioned Parquet.

The metrics library builds one DuckDB statement per request (`coverage._service_sql`,
`coverage._readiness_sql`) with the catalogue bound as list parameters. `SparkConnection` accepts exactly
those statements and parameters — it quacks like the DuckDB connection `coverage_many` expects
(`execute(sql, params).df()`) — and runs them on Spark:

1. the statement is parsed with SQLGlot (DuckDB dialect);
2. parameters become literals; the CTEs made of `unnest($list)` columns (the catalogue definitions) and of
   `unnest(generate_series($first, $through))` (the months) become inline `VALUES` tables, because Spark
   allows one generator per SELECT and none inside an expression;
3. the tree is written out in the Spark dialect and run with `spark.sql`; the (small) aggregated result
   comes back as pandas, and `coverage.assess` attaches the catalogue's rules as on DuckDB.

So `coverage_many(SparkConnection(spark), codes, level=..., year=..., through=...)` gives the same frame
as on DuckDB, from the same definitions: nothing is re-expressed by hand. docs/scale.md explains the choice.

`export_parquet` writes the tables for Spark (or any Parquet reader): `layanan` and `capaian` partitioned
by kabupaten and year (`regency_code=73.09/year=2024/…`), the small tables as single files.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from ilp_metrics.core.db import single_row

if TYPE_CHECKING:
    from pyspark.sql import SparkSession
    from sqlglot import exp

# Tables the metric statements read, and whether they are partitioned by kabupaten and year.
PARTITIONED = {
    "layanan": "service_date",
    "capaian": "period",
}
SMALL_TABLES = (
    "puskesmas",
    "desa",
    "sasaran",
    "kesiapan",
    "capaian_tahunan",
    "ref_regency",
    "ref_village",
    "ref_district",
)


# ================================================================================== export


def export_parquet(con: duckdb.DuckDBPyConnection, out: Path | str) -> dict[str, int]:
    """Write every table the metrics read as Parquet under `out`; returns rows per table.

    layanan/capaian: hive partitions `regency_code=<kab>/year=<yyyy>/` (the kabupaten of the reporting
    puskesmas), so a provincial or national store can add one kabupaten-year at a time and engines can
    skip what a query does not need. Person keys stay pseudonymous; nothing else is added.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for table, date_col in PARTITIONED.items():
        target = out / table
        con.execute(f"""
            COPY (
                SELECT t.*, p.regency_code, CAST(year(t.{date_col}) AS INTEGER) AS year
                FROM {table} t JOIN puskesmas p USING (puskesmas_code)
            ) TO '{_quote_path(target)}' (FORMAT parquet, PARTITION_BY (regency_code, year), OVERWRITE_OR_IGNORE)
        """)
        counts[table] = single_row(con.execute(f"SELECT count(*) FROM {table}"))[0]
    for table in SMALL_TABLES:
        con.execute(f"COPY {table} TO '{_quote_path(out / (table + '.parquet'))}' (FORMAT parquet)")
        counts[table] = single_row(con.execute(f"SELECT count(*) FROM {table}"))[0]
    return counts


def _quote_path(p: Path) -> str:
    return str(p).replace("'", "''")


# ================================================================================== transpilation


def _literal(value: Any) -> exp.Expression:
    from sqlglot import exp

    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    if isinstance(value, _dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, (list, tuple)):
        return exp.Array(expressions=[_literal(v) for v in value])
    raise TypeError(f"cannot inline parameter of type {type(value).__name__}")


def _values_select(columns: list[str], types: list[exp.DataType], rows: list[tuple[Any, ...]]) -> exp.Select:
    """SELECT * FROM (VALUES …) AS t(columns), every cell cast to its column type (typed even when NULL)."""
    from sqlglot import exp

    if not rows:  # no rows: a typed empty relation
        return exp.select(*[exp.alias_(exp.cast(exp.Null(), t.copy()), c) for c, t in zip(columns, types)]).where(
            exp.false()
        )
    tuples = [exp.Tuple(expressions=[exp.cast(_literal(v), t.copy()) for v, t in zip(row, types)]) for row in rows]
    values = exp.Values(
        expressions=tuples,
        alias=exp.TableAlias(this=exp.to_identifier("v"), columns=[exp.to_identifier(c) for c in columns]),
    )
    return exp.select("*").from_(values)


def _param(node: exp.Expr, params: Mapping[str, Any]) -> Any:
    from sqlglot import exp

    if isinstance(node, exp.Placeholder):
        return params[node.name]
    if isinstance(node, exp.Literal):
        return int(node.this) if node.is_int else node.this
    raise ValueError(f"unsupported parameter expression {node.sql()}")


def _inline_unnest_selects(tree: exp.Expr, params: Mapping[str, Any]) -> None:
    """Rewrite the parameter-only SELECTs (catalogue definitions, months) as typed VALUES tables."""
    from sqlglot import exp

    for select in list(tree.find_all(exp.Select)):
        if select.args.get("from_") or select.args.get("from"):
            continue
        projections = select.expressions
        if not projections or not all(isinstance(p, exp.Alias) for p in projections):
            continue
        columns, types, lists = [], [], []
        for p in projections:
            inner = p.this
            if (
                isinstance(inner, exp.Explode)
                and isinstance(inner.this, exp.Cast)
                and isinstance(inner.this.this, exp.Placeholder)
            ):
                array_type = inner.this.to
                types.append(array_type.expressions[0])
                lists.append(list(params[inner.this.this.name]))
            elif (
                isinstance(inner, exp.Cast)
                and isinstance(inner.this, exp.Explode)
                and isinstance(inner.this.this, exp.GenerateSeries)
            ):
                series = inner.this.this
                start, end = _param(series.args["start"], params), _param(series.args["end"], params)
                types.append(inner.to)
                lists.append(list(range(int(start), int(end) + 1)))
            else:
                break
            columns.append(p.alias)
        else:
            if len({len(x) for x in lists}) != 1:
                raise ValueError("parallel parameter lists of different lengths")
            select.replace(_values_select(columns, types, list(zip(*lists))))


def _rewritten(sql: str, params: Mapping[str, Any] | None, dialect: str) -> str:
    """The library's DuckDB statement with its bound lists as inline tables and its parameters inlined."""
    import sqlglot
    from sqlglot import exp

    params = params or {}
    tree = sqlglot.parse_one(sql, read="duckdb")
    _inline_unnest_selects(tree, params)
    for node in list(tree.find_all(exp.Placeholder)):
        node.replace(_literal(params[node.name]))
    return tree.sql(dialect=dialect)


def to_spark_sql(sql: str, params: Mapping[str, Any] | None = None) -> str:
    """The library's DuckDB statement, with its parameters inlined, in Spark SQL."""
    return _rewritten(sql, params, "spark")


def to_duckdb_sql(sql: str, params: Mapping[str, Any] | None = None) -> str:
    """The same rewrite written back in DuckDB SQL (used to check the rewrite itself on DuckDB)."""
    return _rewritten(sql, params, "duckdb")


# ================================================================================== Spark connection


class _Result:
    def __init__(self, frame: pd.DataFrame) -> None:
        # Text columns as DuckDB's .df() gives them: Python objects with None for NULL.
        for col in frame.columns:
            if not (pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col])):
                frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
        self._frame = frame

    def df(self) -> pd.DataFrame:
        return self._frame

    def fetchone(self) -> tuple[Any, ...] | None:
        return tuple(self._frame.iloc[0]) if len(self._frame) else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self._frame.itertuples(index=False)]


class SparkConnection:
    """Runs the metrics library's statements on a SparkSession (see the module docstring).

    `register_parquet(root)` makes the exported tables visible under their usual names.
    """

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark
        self.last_sql: str | None = None

    def register_parquet(self, root: Path | str) -> None:
        root = Path(root)
        for table in PARTITIONED:
            self.spark.read.option("basePath", str(root / table)).parquet(str(root / table)).createOrReplaceTempView(
                table
            )
        for table in SMALL_TABLES:
            self.spark.read.parquet(str(root / (table + ".parquet"))).createOrReplaceTempView(table)

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> _Result:
        self.last_sql = to_spark_sql(sql, params)
        return _Result(self.spark.sql(self.last_sql).toPandas())

    def cursor(self) -> SparkConnection:
        return self


def local_spark(app: str = "ilp-metrics", cores: int = 2, memory: str = "2g") -> SparkSession:
    """A local SparkSession configured for the exported layout (tests, single-server trials)."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app)
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .config("spark.sql.session.timeZone", "UTC")
        # kabupaten codes such as 73.09 must stay text, not become numbers
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
