"""Trainers for Fulcrum's learned models (docs/learned-hash.md, ARCHITECTURE.md "Models").

Run with Debian's interpreter: /usr/bin/python3 -m fulcrum_training --help
"""
