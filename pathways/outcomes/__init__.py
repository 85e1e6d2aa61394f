"""Outcomes for coordinators (contract §8): the retention and stages reports, as JSON or CSV."""
