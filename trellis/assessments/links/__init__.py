"""Rater links: one form about one learner for someone without an account."""
