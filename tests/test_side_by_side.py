"""ilp_metrics.metrics.side_by_side: the calls' results in their order, each on a cursor of its own that is
closed afterwards, an error raised as it is, and another engine's connection used as it is, in this thread."""

from __future__ import annotations

import threading

import duckdb
import pytest

from ilp_metrics.metrics.side_by_side import bound, run_side_by_side


def test_results_come_back_in_the_order_of_the_calls():
    con = duckdb.connect()
    calls = [lambda c, n=n: c.execute("SELECT ?", [n]).fetchone()[0] for n in range(5)]
    assert run_side_by_side(con, calls) == [0, 1, 2, 3, 4]


def test_each_call_reads_on_a_cursor_of_its_own_that_is_closed_afterwards():
    con = duckdb.connect()
    given = run_side_by_side(con, [lambda c: c, lambda c: c])
    assert given[0] is not con and given[1] is not con and given[0] is not given[1]
    with pytest.raises(duckdb.ConnectionException):
        given[0].execute("SELECT 1")


def test_the_cursors_see_the_data_the_connection_committed():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT 7 AS x")
    assert run_side_by_side(con, [lambda c: c.execute("SELECT x FROM t").fetchone()[0]] * 2) == [7, 7]


def test_an_error_of_a_call_is_raised_as_it_is():
    con = duckdb.connect()

    def fails(c):
        raise LookupError("no such puskesmas")

    with pytest.raises(LookupError, match="no such puskesmas"):
        run_side_by_side(con, [lambda c: 1, fails])


def test_another_engines_connection_is_used_as_it_is_in_this_thread():
    engine = object()
    seen = run_side_by_side(
        engine, [lambda c: (c, threading.current_thread()), lambda c: (c, threading.current_thread())]
    )
    assert seen == [(engine, threading.current_thread())] * 2


def test_a_bound_call_gets_the_connection_first_and_its_keywords():
    con = duckdb.connect()
    add = bound(lambda c, *, a, b: c.execute("SELECT ? + ?", [a, b]).fetchone()[0], a=2, b=5)
    assert run_side_by_side(con, [add, add]) == [7, 7]
