"""CLI sub-commands: each module here defines ``register(subparsers)`` and is loaded by the CLI.

A module's ``register`` adds its sub-parser and sets ``func`` (``args -> exit code``) on it.
"""
