"""Privacy: the access log (who looked at which resident's file), erasure, and retention (the daily task is
pathways/tasks.py, the command `apply_retention`)."""
