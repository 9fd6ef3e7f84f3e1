"""Publishing: a score run copied from the lake into the operational store,
where decisions and reports read it.
"""
