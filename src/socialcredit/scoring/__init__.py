"""Score runs: full and incremental, the scores digest, notice before negative
records count, the registry of scorecard versions, and training datasets.
"""
