"""Requests: who should assess whom by when, generated from the schedule, chased by the
reminder worker, and the completion they add up to."""
