"""Trellis: one connected data layer for competency-based medical education."""
