"""What tests share: factories for records, nations, services, consoles and
scorecards, and the helpers to reach a real PostgreSQL. Tests import from here,
never from one another; fixtures stay in the ``conftest.py`` files."""
