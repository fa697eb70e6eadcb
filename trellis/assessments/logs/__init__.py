"""Case and procedure logs: the catalogue, the learner's entries, verification and
progress against minimums."""
