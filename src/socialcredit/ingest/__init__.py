"""Partner files -> validated batches -> records lake, ledger and rejections."""

from socialcredit.ingest.batch import BatchReport, detect_format, ingest_file

__all__ = ["BatchReport", "detect_format", "ingest_file"]
