"""Scale-out: the library's own SQL run on Spark, and partitioned Parquet exports."""
