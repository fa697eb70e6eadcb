"""Capture: the observation form, its page, the one submit service and the learner's
request for feedback."""
