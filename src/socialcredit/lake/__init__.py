"""The records lake: its tables, migrations, what changed since a run, the
per-person feature state, and the workspace folder that holds it all.
"""
