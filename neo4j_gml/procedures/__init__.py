"""Procedures: one spec per procedure, the registry, the runner, jobs and estimates."""
