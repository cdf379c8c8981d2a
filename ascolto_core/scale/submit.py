"""``spark-submit`` entry point: analyse mentions on a Spark cluster.

Usage (the package travels as a zip or is pip-installed on every node)::

    zip -r ascolto_core.zip ascolto_core config
    spark-submit --master yarn --py-files ascolto_core.zip \\
        ascolto_core/scale/submit.py s3://bucket/mentions/ s3://bucket/analysed/ \\
        [--summary /local/summary.parquet] [--engine embedded] [--workspace /path/to/workspace]

INPUT and OUTPUT are Parquet files or folders (or CSV with a ``.csv`` suffix),
anywhere Spark reads (local, HDFS, S3, GCS, DBFS). The master comes from
spark-submit (``--master``); the daily summary is small and written by the driver.
``--workspace`` names a workspace folder the driver reads (client deploy mode, or a
folder on the driver's node): its vocabulary and adapted model reach every executor
as data, once per executor.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="submit.py", description=__doc__.splitlines()[0])
    parser.add_argument("input", help="Parquet/CSV file or folder (any Spark path)")
    parser.add_argument("output", help="output folder (Parquet; CSV with a .csv suffix)")
    parser.add_argument("--summary", default=None, help="daily summary file on the driver (.parquet or .csv)")
    parser.add_argument(
        "--engine", default=None, help="engine the driver resolves and ships (default: config)"
    )
    parser.add_argument(
        "--workspace", default=None, help="analyse with this workspace's vocabulary and adapted model (driver's disk)"
    )
    parser.add_argument("--lang", choices=("it", "en"), default="en")
    args = parser.parse_args(argv)

    from pyspark.sql import SparkSession

    from ascolto_core.errors import AscoltoError
    from ascolto_core.i18n import t
    from ascolto_core.scale.spark import analyze_on_spark

    # The cluster's own session (master, executors, memory: from spark-submit).
    spark = (
        SparkSession.builder.appName("ascolto-analyze")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .getOrCreate()
    )
    try:
        run = analyze_on_spark(
            args.input,
            args.output,
            master=spark.sparkContext.master,
            engine=args.engine,
            summary=args.summary,
            spark=spark,
            workspace=args.workspace,
        )
    except AscoltoError as error:
        print(error.message(args.lang), file=sys.stderr)
        return 2
    print(t("scale.spark_done", args.lang, rows=run.rows, master=run.master, path=run.output))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
