"""Registry entries, one module per procedure family; every module here is imported on first use."""
